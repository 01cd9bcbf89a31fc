import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { deleteFile as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFile } from '#domain/drive/access';
import { deleteStoredFile } from '#domain/drive/stored-files';

const db = createDocumentClient();
const storage = { ...storageFromEnvironment(db), quotas: quotasFromEnvironment(db) };
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, caller, origin }) => {
    const { ownerId } = await accessFile(drive, ownerIdOf(caller), params.fileId, 'edit');
    await deleteStoredFile(storage, ownerId, params.fileId);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'file.delete',
      objectId: params.fileId,
      outcome: 'deleted',
    });
    return { status: 204 };
  },
);
