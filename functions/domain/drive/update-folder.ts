import { Conflict } from '#commons/errors';
import { limits } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import type { FilesStore } from '#domain/drive/file-records';
import { listFolderItems } from '#domain/drive/folder-contents';
import {
  type FolderRecord,
  folderNameOf,
  moveChecks,
  moveFolderItem,
  pathOf,
  requireFolder,
  tooDeep,
} from '#domain/drive/folders';
import { moveName, nameTaken, WriteRefused, writeTogether } from '#domain/drive/name-claims';
import { listKeyOfFolders, nameKeyOf } from '#domain/drive/names';

/**
 * Renames and/or moves a folder (`parentId`) within its owner's drive: only its item and its
 * name claim change, nothing under it (its files keep their keys and their folder id). Moving
 * into itself or anything under it is refused, as is a destination in another drive or one
 * that does not exist. Each change made is one audit entry (a rename, a move).
 */
export async function updateFolder(
  deps: DriveDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  folderId: string,
  change: { name?: string | undefined; parentId?: string | undefined },
): Promise<FolderRecord> {
  const { ownerId } = await accessFolder(deps, userId, folderId, 'edit');
  let parentId: string | undefined;
  if (change.parentId !== undefined) {
    const destination = await accessFolder(deps, userId, change.parentId, 'edit');
    if (destination.ownerId !== ownerId) {
      throw new Conflict('other_drive', "A folder moves only within its owner's drive.");
    }
    parentId = destination.folderId;
  }
  const { before, after } = await rehangFolder(deps.files, ownerId, folderId, { name: change.name, parentId });
  const fact = { ownerId, objectId: after.folderId };
  if (after.name !== before.name) {
    await recordAudit(deps.audit, origin, {
      ...fact,
      action: 'folder.rename',
      outcome: `renamed:${before.name}->${after.name}`,
    });
  }
  if (after.parentId !== before.parentId) {
    await recordAudit(deps.audit, origin, {
      ...fact,
      action: 'folder.move',
      outcome: `moved:${before.parentId}->${after.parentId}`,
    });
  }
  return after;
}

/** The rename and/or move itself, in one transaction with the name claims and the counts it changes. */
async function rehangFolder(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  change: { name?: string | undefined; parentId?: string | undefined },
): Promise<{ before: FolderRecord; after: FolderRecord }> {
  const folder = await requireFolder(store, ownerId, folderId);
  const name = change.name === undefined ? folder.name : folderNameOf(change.name);
  const parentId = change.parentId ?? folder.parentId;
  const moving = parentId !== folder.parentId;
  const destination = moving ? await pathOf(store, ownerId, parentId) : [];
  if (parentId === folderId || destination.some((above) => above.folderId === folderId)) {
    throw new Conflict('folder_into_itself', 'A folder cannot be moved into itself or into a folder inside it.');
  }
  if (moving && destination.length + (await depthBelow(store, ownerId, folder)) >= limits.folderMaxDepth) {
    throw tooDeep();
  }
  const after: FolderRecord = {
    ...folder,
    name,
    nameKey: nameKeyOf(name),
    parentId,
    listKey: listKeyOfFolders(ownerId, parentId),
  };
  if (name === folder.name && !moving) return { before: folder, after };
  const names = moveName(
    store,
    ownerId,
    { folderId: folder.parentId, name: folder.name },
    { folderId: parentId, name },
    { kind: 'folder', id: folderId },
  );
  try {
    await writeTogether(store, [
      ...names,
      moveFolderItem(store, folder, after),
      ...(moving ? moveChecks(store, ownerId, folder.parentId, parentId, destination) : []),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (error.failed.includes(names.length - 1) && names.length === 2) throw nameTaken(name);
    throw new Conflict('changed_meanwhile', 'The folder or its destination changed meanwhile. Reload and try again.');
  }
  return { before: folder, after };
}

/** How many levels of folders hang below this one (0 for none), so a move cannot exceed the depth limit. */
async function depthBelow(store: FilesStore, ownerId: string, folder: FolderRecord, level = 0): Promise<number> {
  if (folder.children === 0 || level >= limits.folderMaxDepth) return 0;
  let deepest = 0;
  let cursor: string | undefined;
  do {
    const page = await listFolderItems(store, ownerId, folder.folderId, 'folders', {
      sort: 'name',
      order: 'asc',
      limit: 100,
      cursor,
    });
    for (const child of page.items as FolderRecord[]) {
      deepest = Math.max(deepest, 1 + (await depthBelow(store, ownerId, child, level + 1)));
    }
    cursor = page.cursor;
  } while (cursor);
  return deepest;
}
