import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { revokeLink as operation } from '#contracts/api/links';
import { recordAudit } from '#domain/audit/audit-trail';
import { revokeUploadLink } from '#domain/links/upload-links';

const config = readConfig('LINKS_TABLE');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    await revokeUploadLink(links, ownerId, params.linkId);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'link.revoke',
      objectId: params.linkId,
      outcome: 'revoked',
    });
    return { status: 204 };
  },
);
