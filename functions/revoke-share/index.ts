import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { sharesFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { revokeShare as operation } from '#contracts/api/sharing';
import { revokeShare } from '#domain/sharing/revoke-share';

const db = createDocumentClient();
const deps = { shares: sharesFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** DELETE /api/shares/{shareId}: ends the share at once (the next request of the grantee is refused). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    await revokeShare(deps, origin, ownerIdOf(caller), params.shareId);
    return { status: 204 };
  },
);
