import { z } from 'zod';
import { createAuthenticator, ownerVerifierFromEnvironment } from '#commons/authenticate';
import { createDocumentClient, createS3Client } from '#commons/clients';
import { readConfig } from '#commons/config';
import { actorOf, httpHandler, ownerIdOf } from '#commons/http';
import { id } from '#commons/schemas';
import { recordAudit } from '#domain/audit';
import { deleteStoredFile } from '#domain/stored-files';

const config = readConfig('FILES_TABLE', 'AUDIT_TABLE', 'BUCKET_NAME');
const db = createDocumentClient();
const storage = { s3: createS3Client(), bucket: config.BUCKET_NAME, files: { db, tableName: config.FILES_TABLE } };

export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    params: z.object({ fileId: id }),
  },
  async ({ params, caller, requestId, sourceIp }) => {
    const ownerId = ownerIdOf(caller);
    await deleteStoredFile(storage, ownerId, params.fileId);
    await recordAudit(db, config.AUDIT_TABLE, {
      ownerId,
      action: 'file.delete',
      actor: actorOf(caller),
      objectId: params.fileId,
      outcome: 'deleted',
      requestId,
      sourceIp,
    });
    return { status: 204 };
  },
);
