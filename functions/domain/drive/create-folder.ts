import { newFileId } from '#commons/ids';
import { limits } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { type FolderRecord, folderNameOf, folderNotFound, pathOf, putFolderItem, tooDeep } from '#domain/drive/folders';
import {
  countInFolder,
  folderItemId,
  nameTaken,
  takeName,
  WriteRefused,
  writeTogether,
} from '#domain/drive/name-claims';
import { listKeyOfFolders, nameKeyOf, sizeKeyOf } from '#domain/drive/names';

/**
 * A new folder at the top level or inside `parentId` (the caller's, or one shared with them to
 * edit: the folder is then in its owner's drive). Its item, its name's claim and the parent's
 * count are written in one transaction, so a name is never taken twice.
 */
export async function createFolder(
  deps: DriveDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  request: { name: string; parentId: string },
  now = new Date(),
): Promise<FolderRecord> {
  const parent = await accessFolder(deps, userId, request.parentId, 'edit');
  const { ownerId, folderId: parentId } = parent;
  const parentPath = await pathOf(deps.files, ownerId, parentId);
  if (parentPath.length >= limits.folderMaxDepth) throw tooDeep();
  const folderId = newFileId(now.getTime());
  const name = folderNameOf(request.name);
  const folder: FolderRecord = {
    ownerId,
    fileId: folderItemId(folderId),
    kind: 'folder',
    folderId,
    parentId,
    name,
    nameKey: nameKeyOf(name),
    listKey: listKeyOfFolders(ownerId, parentId),
    sizeKey: sizeKeyOf(0),
    createdAt: now.toISOString(),
    children: 0,
  };
  try {
    await writeTogether(deps.files, [
      takeName(deps.files, ownerId, parentId, name, { kind: 'folder', id: folderId }),
      putFolderItem(deps.files, folder),
      ...countInFolder(deps.files, ownerId, parentId, 1),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (error.failed.includes(0)) throw nameTaken(name);
    throw folderNotFound();
  }
  await recordAudit(deps.audit, origin, {
    ownerId,
    action: 'folder.create',
    objectId: folderId,
    outcome: `created:${name}`,
  });
  return folder;
}
