import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Invalid, NotFound } from '#commons/errors';
import { sanitizeFileName } from '#commons/file-names';
import { newFileId } from '#commons/ids';
import { limits } from '#contracts/limits';
import type { FilesStore } from '#domain/drive/file-records';
import { listFolderItems } from '#domain/drive/listing';
import {
  countInFolder,
  folderItemId,
  moveName,
  releaseName,
  takeName,
  type WriteItem,
  WriteRefused,
  writeTogether,
} from '#domain/drive/name-claims';
import { listKeyOfFolders, nameKeyOf, ROOT, sizeKeyOf } from '#domain/drive/names';

/** A folder: an item in its owner's partition. Its name is held by a claim in its parent. */
export interface FolderRecord {
  readonly ownerId: string;
  readonly fileId: string;
  readonly kind: 'folder';
  readonly folderId: string;
  readonly parentId: string;
  readonly name: string;
  readonly nameKey: string;
  readonly listKey: string;
  readonly sizeKey: string;
  readonly createdAt: string;
  /** Files and folders whose names it holds: it may be deleted only at 0. */
  readonly children: number;
}

const folderNotFound = () => new NotFound('folder_not_found', 'No such folder.');
const nameTaken = (name: string) =>
  new Conflict('name_taken', `A file or folder named "${name}" already exists there (names ignore case).`);

export async function getFolder(
  store: FilesStore,
  ownerId: string,
  folderId: string,
): Promise<FolderRecord | undefined> {
  if (folderId === ROOT) return undefined;
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { ownerId, fileId: folderItemId(folderId) },
      ConsistentRead: true,
    }),
  );
  return Item?.kind === 'folder' ? (Item as FolderRecord) : undefined;
}

/** The folder, or 404: another owner's folder answers as one that never existed. */
export async function requireFolder(store: FilesStore, ownerId: string, folderId: string): Promise<FolderRecord> {
  const folder = await getFolder(store, ownerId, folderId);
  if (!folder) throw folderNotFound();
  return folder;
}

/** Refuses a folder id that names nothing in this owner's space; the top level always exists. */
export async function requireFolderOrRoot(store: FilesStore, ownerId: string, folderId: string): Promise<void> {
  if (folderId !== ROOT) await requireFolder(store, ownerId, folderId);
}

/** The folder and each folder above it, nearest first (the top level excluded). */
export async function pathOf(store: FilesStore, ownerId: string, folderId: string): Promise<FolderRecord[]> {
  const path: FolderRecord[] = [];
  let current = folderId;
  while (current !== ROOT) {
    if (path.length > limits.folderMaxDepth) throw new Error(`folder ${folderId} nests deeper than allowed`);
    const folder = await requireFolder(store, ownerId, current);
    path.push(folder);
    current = folder.parentId;
  }
  return path;
}

/**
 * The folder counts a move changes, plus a check that each folder on the destination's path
 * still hangs where it was read, so two moves racing each other cannot make a cycle. A
 * transaction may touch an item once, so a folder both counted and checked gets one update
 * carrying both conditions.
 */
function moveChecks(
  store: FilesStore,
  ownerId: string,
  from: string,
  to: string,
  destinationPath: readonly FolderRecord[],
): WriteItem[] {
  const deltas = new Map<string, 1 | -1>([
    [from, -1],
    [to, 1],
  ]);
  deltas.delete(ROOT);
  const items: WriteItem[] = destinationPath.map((folder) => {
    const delta = deltas.get(folder.folderId);
    deltas.delete(folder.folderId);
    const key = { ownerId, fileId: folder.fileId };
    const condition = {
      ConditionExpression: 'parentId = :parent',
      ExpressionAttributeValues: { ':parent': folder.parentId },
    };
    return delta === undefined
      ? { ConditionCheck: { TableName: store.tableName, Key: key, ...condition } }
      : {
          Update: {
            TableName: store.tableName,
            Key: key,
            UpdateExpression: 'ADD children :delta',
            ConditionExpression: condition.ConditionExpression,
            ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ':delta': delta },
          },
        };
  });
  for (const [folderId, delta] of deltas) items.push(...countInFolder(store, ownerId, folderId, delta));
  return items;
}

function folderName(raw: string): string {
  const name = sanitizeFileName(raw);
  // sanitizeFileName answers "file" for a name with nothing safe left in it.
  if (name === 'file' && nameKeyOf(raw.trim()) !== 'file') {
    throw new Invalid('invalid_name', 'The folder name is empty once unsafe characters are removed.');
  }
  return name;
}

export async function createFolder(
  store: FilesStore,
  ownerId: string,
  request: { name: string; parentId: string },
  now = new Date(),
): Promise<FolderRecord> {
  const parentPath = await pathOf(store, ownerId, request.parentId);
  if (parentPath.length >= limits.folderMaxDepth) {
    throw new Conflict('too_deep', `Folders nest at most ${limits.folderMaxDepth} deep.`);
  }
  const folderId = newFileId(now.getTime());
  const name = folderName(request.name);
  const folder: FolderRecord = {
    ownerId,
    fileId: folderItemId(folderId),
    kind: 'folder',
    folderId,
    parentId: request.parentId,
    name,
    nameKey: nameKeyOf(name),
    listKey: listKeyOfFolders(ownerId, request.parentId),
    sizeKey: sizeKeyOf(0),
    createdAt: now.toISOString(),
    children: 0,
  };
  try {
    await writeTogether(store, [
      takeName(store, ownerId, request.parentId, name, { kind: 'folder', id: folderId }),
      { Put: { TableName: store.tableName, Item: folder, ConditionExpression: 'attribute_not_exists(fileId)' } },
      ...countInFolder(store, ownerId, request.parentId, 1),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (error.failed.includes(0)) throw nameTaken(name);
    throw folderNotFound();
  }
  return folder;
}

/**
 * Renames and/or moves a folder: only its item and its name claim change, nothing under it
 * (its files keep their keys and their folder id). Moving into itself or anything under it
 * is refused, as is a destination that does not exist in this owner's space.
 */
export async function updateFolder(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  change: { name?: string; parentId?: string },
): Promise<{ before: FolderRecord; after: FolderRecord }> {
  const folder = await requireFolder(store, ownerId, folderId);
  const name = change.name === undefined ? folder.name : folderName(change.name);
  const parentId = change.parentId ?? folder.parentId;
  const moving = parentId !== folder.parentId;
  const destination = moving ? await pathOf(store, ownerId, parentId) : [];
  if (parentId === folderId || destination.some((above) => above.folderId === folderId)) {
    throw new Conflict('folder_into_itself', 'A folder cannot be moved into itself or into a folder inside it.');
  }
  if (moving && destination.length + (await depthBelow(store, ownerId, folder)) >= limits.folderMaxDepth) {
    throw new Conflict('too_deep', `Folders nest at most ${limits.folderMaxDepth} deep.`);
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
      {
        Update: {
          TableName: store.tableName,
          Key: { ownerId, fileId: folder.fileId },
          UpdateExpression: 'SET #name = :name, nameKey = :nameKey, parentId = :parent, listKey = :listKey',
          ConditionExpression: 'parentId = :oldParent AND #name = :oldName',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': after.name,
            ':nameKey': after.nameKey,
            ':parent': parentId,
            ':listKey': after.listKey,
            ':oldParent': folder.parentId,
            ':oldName': folder.name,
          },
        },
      },
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

/** Deletes a folder that holds nothing; anything in it (a file, a folder) refuses with 409. */
export async function deleteFolder(store: FilesStore, ownerId: string, folderId: string): Promise<FolderRecord> {
  const folder = await requireFolder(store, ownerId, folderId);
  try {
    await writeTogether(store, [
      {
        Delete: {
          TableName: store.tableName,
          Key: { ownerId, fileId: folder.fileId },
          ConditionExpression: 'children = :none',
          ExpressionAttributeValues: { ':none': 0 },
        },
      },
      releaseName(store, ownerId, folder.parentId, folder.name, folderId),
      ...countInFolder(store, ownerId, folder.parentId, -1),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (error.failed.includes(0) && (await getFolder(store, ownerId, folderId))) {
      throw new Conflict('folder_not_empty', 'The folder is not empty. Move or delete what is in it first.');
    }
    throw new Conflict('changed_meanwhile', 'The folder changed meanwhile. Reload and try again.');
  }
  return folder;
}

/** What a caller sees of a folder. */
export function describeFolder(folder: FolderRecord) {
  return {
    folderId: folder.folderId,
    name: folder.name,
    parentId: folder.parentId,
    createdAt: folder.createdAt,
  };
}
