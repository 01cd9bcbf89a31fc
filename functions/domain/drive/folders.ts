import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Invalid, NotFound } from '#commons/errors';
import { sanitizeFileName } from '#commons/file-names';
import type { TransactItem } from '#commons/transactions';
import { limits } from '#contracts/limits';
import type { FilesStore } from '#domain/drive/file-records';
import { countInFolder, folderItemId } from '#domain/drive/name-claims';
import { nameKeyOf, ROOT } from '#domain/drive/names';

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

export const folderNotFound = () => new NotFound('folder_not_found', 'No such folder.');
export const tooDeep = () => new Conflict('too_deep', `Folders nest at most ${limits.folderMaxDepth} deep.`);

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

/** A folder's name made safe; refused when nothing safe is left of it. */
export function folderNameOf(raw: string): string {
  const name = sanitizeFileName(raw);
  // sanitizeFileName answers "file" for a name with nothing safe left in it.
  if (name === 'file' && nameKeyOf(raw.trim()) !== 'file') {
    throw new Invalid('invalid_name', 'The folder name is empty once unsafe characters are removed.');
  }
  return name;
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

/** The folder's own item, new: refused if the id is somehow taken. */
export function putFolderItem(store: FilesStore, folder: FolderRecord): TransactItem {
  return { Put: { TableName: store.tableName, Item: folder, ConditionExpression: 'attribute_not_exists(fileId)' } };
}

/** The folder's item renamed and/or rehung, conditioned on it still being where and as it was read. */
export function moveFolderItem(store: FilesStore, before: FolderRecord, after: FolderRecord): TransactItem {
  return {
    Update: {
      TableName: store.tableName,
      Key: { ownerId: before.ownerId, fileId: before.fileId },
      UpdateExpression: 'SET #name = :name, nameKey = :nameKey, parentId = :parent, listKey = :listKey',
      ConditionExpression: 'parentId = :oldParent AND #name = :oldName',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':name': after.name,
        ':nameKey': after.nameKey,
        ':parent': after.parentId,
        ':listKey': after.listKey,
        ':oldParent': before.parentId,
        ':oldName': before.name,
      },
    },
  };
}

/** The folder's item removed, only while it holds nothing. */
export function deleteEmptyFolderItem(store: FilesStore, folder: FolderRecord): TransactItem {
  return {
    Delete: {
      TableName: store.tableName,
      Key: { ownerId: folder.ownerId, fileId: folder.fileId },
      ConditionExpression: 'children = :none',
      ExpressionAttributeValues: { ':none': 0 },
    },
  };
}

/**
 * The folder counts a move changes, plus a check that each folder on the destination's path
 * still hangs where it was read, so two moves racing each other cannot make a cycle. A
 * transaction may touch an item once, so a folder both counted and checked gets one update
 * carrying both conditions.
 */
export function moveChecks(
  store: FilesStore,
  ownerId: string,
  from: string,
  to: string,
  destinationPath: readonly FolderRecord[],
): TransactItem[] {
  const deltas = new Map<string, 1 | -1>([
    [from, -1],
    [to, 1],
  ]);
  deltas.delete(ROOT);
  const items: TransactItem[] = destinationPath.map((folder) => {
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
