import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { deleteFolder as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFolder } from '#domain/drive/access';
import { deleteFolder } from '#domain/drive/folders';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** DELETE /api/folders/{folderId}: only an empty folder (409 `folder_not_empty` otherwise). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    const folder = await accessFolder(drive, ownerIdOf(caller), params.folderId, 'edit');
    const deleted = await deleteFolder(drive.files, folder.ownerId, folder.folderId);
    await recordAudit(audit, origin, {
      ownerId: folder.ownerId,
      action: 'folder.delete',
      objectId: deleted.folderId,
      outcome: `deleted:${deleted.name}`,
    });
    return { status: 204 };
  },
);
