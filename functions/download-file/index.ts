import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { downloadFile as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFile } from '#domain/drive/access';
import { presignDownload } from '#domain/drive/stored-files';

const db = createDocumentClient();
const storage = signingStorageFromEnvironment(db);
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, caller, origin }) => {
    const { file, ownerId } = await accessFile(drive, ownerIdOf(caller), params.fileId, 'view');
    const { url, expiresAt } = await presignDownload(storage, file);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'file.download',
      objectId: params.fileId,
      outcome: 'signed',
    });
    return { status: 200, body: { url, expiresAt } };
  },
);
