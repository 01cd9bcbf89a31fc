import { Conflict } from '#commons/errors';
import { sanitizeFileName } from '#commons/file-names';
import type { FileRecord, FilesStore } from '#domain/drive/file-records';
import { getFile } from '#domain/drive/file-records';
import { requireFolderOrRoot } from '#domain/drive/folders';
import {
  countInFolder,
  moveName,
  releaseName,
  type WriteItem,
  WriteRefused,
  writeTogether,
} from '#domain/drive/name-claims';
import { listKeyOfFiles, nameKeyOf, ROOT } from '#domain/drive/names';
import { quotaReleaseItems } from '#domain/quotas/charges';
import type { QuotaStore } from '#domain/quotas/usage-item';

/**
 * Renames and/or moves a released file. Only metadata changes: the object key comes from the
 * file id, so no byte is copied. The name it leaves, the name it takes and the folders' counts
 * change in one transaction with the record, conditioned on the record being as it was read:
 * of two racing renames to one name, exactly one wins and the other gets 409 `name_taken`.
 */
export async function renameOrMoveFile(
  store: FilesStore,
  file: FileRecord,
  change: { name?: string; folderId?: string },
): Promise<{ before: FileRecord; after: FileRecord }> {
  if (file.status !== 'clean' || !file.claimed) {
    throw new Conflict(
      file.status === 'rejected' ? 'rejected' : 'not_ready',
      'Only a file that passed the checks can be renamed or moved.',
    );
  }
  const fromFolder = file.folderId ?? ROOT;
  const toFolder = change.folderId ?? fromFolder;
  const name = change.name === undefined ? file.name : sanitizeFileName(change.name);
  const after: FileRecord = {
    ...file,
    name,
    nameKey: nameKeyOf(name),
    folderId: toFolder,
    listKey: listKeyOfFiles(file.ownerId, toFolder),
  };
  if (name === file.name && toFolder === fromFolder) return { before: file, after };
  if (toFolder !== fromFolder) await requireFolderOrRoot(store, file.ownerId, toFolder);
  const names = moveName(
    store,
    file.ownerId,
    { folderId: fromFolder, name: file.name },
    { folderId: toFolder, name },
    { kind: 'file', id: file.fileId },
  );
  const moving = toFolder !== fromFolder;
  try {
    await writeTogether(store, [
      ...names,
      {
        Update: {
          TableName: store.tableName,
          Key: { ownerId: file.ownerId, fileId: file.fileId },
          UpdateExpression: 'SET #name = :name, nameKey = :nameKey, folderId = :folder, listKey = :listKey',
          ConditionExpression: '#name = :oldName AND listKey = :oldListKey',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': name,
            ':nameKey': after.nameKey,
            ':folder': toFolder,
            ':listKey': after.listKey,
            ':oldName': file.name,
            ':oldListKey': file.listKey,
          },
        },
      },
      ...(moving
        ? [...countInFolder(store, file.ownerId, fromFolder, -1), ...countInFolder(store, file.ownerId, toFolder, 1)]
        : []),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (names.length === 2 && error.failed.includes(1)) {
      throw new Conflict('name_taken', `A file or folder named "${name}" already exists there (names ignore case).`);
    }
    const entering = names.length + (fromFolder === ROOT ? 1 : 2);
    if (moving && toFolder !== ROOT && error.failed.includes(entering)) {
      throw new Conflict('changed_meanwhile', 'The destination folder was deleted meanwhile.');
    }
    throw new Conflict('changed_meanwhile', 'The file changed meanwhile. Reload and try again.');
  }
  return { before: file, after };
}

/**
 * Removes a file's record, and with it the name it holds, its place in its folder's count and
 * what it counts against the quota, in one transaction. A file that never held a name
 * (pending, rejected) gives back only its quota. Renamed, moved or released meanwhile: the
 * transaction is refused, the record read again and the removal tried where it is now.
 */
export async function forgetFile(store: FilesStore, quotas: QuotaStore, file: FileRecord): Promise<void> {
  let current: FileRecord | undefined = file;
  for (let attempt = 1; current; attempt++) {
    const named = current.claimed && !current.mergedInto;
    const folderId = current.folderId ?? ROOT;
    const recordItems: WriteItem[] = named
      ? [
          {
            Delete: {
              TableName: store.tableName,
              Key: { ownerId: current.ownerId, fileId: current.fileId },
              ConditionExpression: '#name = :name AND listKey = :listKey',
              ExpressionAttributeNames: { '#name': 'name' },
              ExpressionAttributeValues: { ':name': current.name, ':listKey': current.listKey },
            },
          },
          releaseName(store, current.ownerId, folderId, current.name, current.fileId),
          ...countInFolder(store, current.ownerId, folderId, -1),
        ]
      : [
          {
            Delete: {
              TableName: store.tableName,
              Key: { ownerId: current.ownerId, fileId: current.fileId },
              // Still unnamed: a release meanwhile gave it a name that must be given back too.
              ConditionExpression: 'attribute_not_exists(claimed) OR attribute_exists(mergedInto)',
            },
          },
        ];
    try {
      await writeTogether(store, [
        ...recordItems,
        ...(await quotaReleaseItems(quotas, current.ownerId, current.fileId)),
      ]);
      return;
    } catch (error) {
      if (!(error instanceof WriteRefused) || attempt >= 5) throw error;
      current = await getFile(store, current.ownerId, current.fileId);
    }
  }
}
