import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { httpHandler, ownerIdOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { revokeLink as operation } from '#contracts/api/links';
import { revokeLink } from '#domain/links/revoke-link';

const db = createDocumentClient();
const deps = { links: linksFromEnvironment(db), audit: auditLogFromEnvironment(db) };

export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    await revokeLink(deps, origin, ownerIdOf(caller), params.linkId);
    return { status: 204 };
  },
);
