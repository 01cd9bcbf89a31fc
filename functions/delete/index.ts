import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { actorOf, httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id } from '#commons/schemas';
import { recordAudit } from '#domain/audit';
import { deleteStoredFile } from '#domain/stored-files';

const db = createDocumentClient();
const storage = { ...storageFromEnvironment(db), quotas: quotasFromEnvironment(db) };
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    params: z.object({ fileId: id }),
  },
  async ({ params, caller, requestId, sourceIp }) => {
    const ownerId = ownerIdOf(caller);
    await deleteStoredFile(storage, ownerId, params.fileId);
    await recordAudit(audit, {
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
