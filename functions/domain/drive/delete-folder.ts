import { Conflict } from '#commons/errors';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { deleteEmptyFolderItem, getFolder, requireFolder } from '#domain/drive/folders';
import { countInFolder, releaseName, WriteRefused, writeTogether } from '#domain/drive/name-claims';

/**
 * Deletes a folder that holds nothing (the caller's, or one shared with them to edit); anything
 * in it (a file, a folder) refuses with 409 `folder_not_empty`. Its item, its name's claim and
 * the parent's count go in one transaction.
 */
export async function deleteFolder(
  deps: DriveDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  folderId: string,
): Promise<void> {
  const { ownerId } = await accessFolder(deps, userId, folderId, 'edit');
  const folder = await requireFolder(deps.files, ownerId, folderId);
  try {
    await writeTogether(deps.files, [
      deleteEmptyFolderItem(deps.files, folder),
      releaseName(deps.files, ownerId, folder.parentId, folder.name, folderId),
      ...countInFolder(deps.files, ownerId, folder.parentId, -1),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (error.failed.includes(0) && (await getFolder(deps.files, ownerId, folderId))) {
      throw new Conflict('folder_not_empty', 'The folder is not empty. Move or delete what is in it first.');
    }
    throw new Conflict('changed_meanwhile', 'The folder changed meanwhile. Reload and try again.');
  }
  await recordAudit(deps.audit, origin, {
    ownerId,
    action: 'folder.delete',
    objectId: folder.folderId,
    outcome: `deleted:${folder.name}`,
  });
}
