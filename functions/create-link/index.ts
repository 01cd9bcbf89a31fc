import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { linkRequest, createLink as operation } from '#contracts/api/links';
import { recordAudit } from '#domain/audit/audit-trail';
import { createUploadLink } from '#domain/links/upload-links';

const config = readConfig('LINKS_TABLE', 'WEB_BASE_URL', 'MAX_FILE_BYTES');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    body: linkRequest(config.MAX_FILE_BYTES),
  },
  async ({ body, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    const { link, token } = await createUploadLink(links, ownerId, body);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'link.create',
      objectId: link.linkId,
      outcome: 'created',
    });
    return {
      status: 201,
      body: {
        linkId: link.linkId,
        label: link.label,
        token,
        // The token rides in the fragment, which browsers never send to a server or a log.
        url: `${config.WEB_BASE_URL}/u/#${token}`,
        expiresAt: link.expiresAt,
        maxUploads: link.maxUploads,
        maxBytes: link.maxBytes,
        allowedTypes: link.allowedTypes,
      },
    };
  },
);
