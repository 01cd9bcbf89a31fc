import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { actorOf, httpHandler, spaceOwnerOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id } from '#commons/schemas';
import { recordAudit } from '#domain/audit';
import { authenticateLinkToken } from '#domain/upload-links';
import { confirmUpload } from '#domain/uploads';

const config = readConfig('LINKS_TABLE');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const storage = storageFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
    params: z.object({ uploadId: id }),
  },
  async ({ params, caller, requestId, sourceIp }) => {
    const ownerId = spaceOwnerOf(caller);
    // A link holder reaches only the uploads made through its own link.
    const linkId = caller.kind === 'link' ? caller.linkId : undefined;
    const file = await confirmUpload(storage, { ownerId, linkId }, params.uploadId);
    await recordAudit(audit, {
      ownerId,
      action: 'upload.confirm',
      actor: actorOf(caller),
      objectId: file.fileId,
      outcome: file.status,
      requestId,
      sourceIp,
    });
    const outcome = { status: file.status, ...(file.reason ? { reason: file.reason } : {}) };
    return {
      status: 200,
      body: caller.kind === 'link' ? { uploadId: file.fileId, ...outcome } : { fileId: file.fileId, ...outcome },
    };
  },
);
