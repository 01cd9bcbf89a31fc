import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { revokeShare as operation } from '#contracts/api/sharing';
import { recordAudit } from '#domain/audit/audit-trail';
import { revokeShare } from '#domain/sharing/shares';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** DELETE /api/shares/{shareId}: ends the share at once (the next request of the grantee is refused). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    const share = await revokeShare(drive.shares, ownerId, params.shareId);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'share.revoke',
      objectId: share.targetId,
      outcome: `revoked:${share.shareId}`,
    });
    return { status: 204 };
  },
);
