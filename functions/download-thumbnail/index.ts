import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { downloadThumbnail as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFile } from '#domain/drive/access';
import { presignThumbnail } from '#domain/drive/stored-files';

const db = createDocumentClient();
const storage = signingStorageFromEnvironment(db);
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** A short-lived URL for an image's 400x400 WebP preview; 404 for files that are not images. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, caller, origin }) => {
    const { file, ownerId } = await accessFile(drive, ownerIdOf(caller), params.fileId, 'view');
    const preview = await presignThumbnail(storage, file);
    // A preview shows the document's content: it is an access like a download.
    await recordAudit(audit, origin, {
      ownerId,
      action: 'file.thumbnail',
      objectId: params.fileId,
      outcome: 'signed',
    });
    return { status: 200, body: preview };
  },
);
