import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { actorOf, httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id } from '#commons/schemas';
import { recordAudit } from '#domain/audit';
import { presignDownload } from '#domain/stored-files';

const db = createDocumentClient();
const storage = storageFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    params: z.object({ fileId: id }),
  },
  async ({ params, caller, requestId, sourceIp }) => {
    const ownerId = ownerIdOf(caller);
    const { url, expiresAt } = await presignDownload(storage, ownerId, params.fileId);
    await recordAudit(audit, {
      ownerId,
      action: 'file.download',
      actor: actorOf(caller),
      objectId: params.fileId,
      outcome: 'signed',
      requestId,
      sourceIp,
    });
    return { status: 200, body: { url, expiresAt } };
  },
);
