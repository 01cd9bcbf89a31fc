import { Conflict } from '#commons/errors';
import { sanitizeFileName } from '#commons/file-names';
import { type AuditAction, type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, accessFolder, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, type FilesStore, moveFileRecordItem } from '#domain/drive/file-records';
import { requireFolderOrRoot } from '#domain/drive/folders';
import { countInFolder, moveName, nameTaken, WriteRefused, writeTogether } from '#domain/drive/name-claims';
import { listKeyOfFiles, nameKeyOf, ROOT } from '#domain/drive/names';

/**
 * Renames (`name`) and/or moves (`folderId`) a released file the caller may edit, within its
 * owner's drive; the bytes and their key stay. Each change made is one audit entry.
 */
export async function renameOrMoveFile(
  deps: DriveDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  fileId: string,
  change: { name?: string | undefined; folderId?: string | undefined },
): Promise<FileRecord> {
  const { file, ownerId } = await accessFile(deps, userId, fileId, 'edit');
  let folderId: string | undefined;
  if (change.folderId !== undefined) {
    const destination = await accessFolder(deps, userId, change.folderId, 'edit');
    if (destination.ownerId !== ownerId) {
      throw new Conflict('other_drive', "A file moves only within its owner's drive.");
    }
    folderId = destination.folderId;
  }
  const { before, after } = await rewriteFileName(deps.files, file, { name: change.name, folderId });
  const entries: [AuditAction, string][] = [];
  if (after.name !== before.name) entries.push(['file.rename', `renamed:${before.name}->${after.name}`]);
  if (after.folderId !== (before.folderId ?? ROOT)) {
    entries.push(['file.move', `moved:${before.folderId ?? ROOT}->${after.folderId}`]);
  }
  for (const [action, outcome] of entries) {
    await recordAudit(deps.audit, origin, { ownerId, action, objectId: file.fileId, outcome });
  }
  return after;
}

/**
 * Only metadata changes: the object key comes from the file id, so no byte is copied. The name
 * it leaves, the name it takes and the folders' counts change in one transaction with the
 * record, conditioned on the record being as it was read: of two racing renames to one name,
 * exactly one wins and the other gets 409 `name_taken`.
 */
async function rewriteFileName(
  store: FilesStore,
  file: FileRecord,
  change: { name?: string | undefined; folderId?: string | undefined },
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
  const moving = toFolder !== fromFolder;
  if (moving) await requireFolderOrRoot(store, file.ownerId, toFolder);
  const names = moveName(
    store,
    file.ownerId,
    { folderId: fromFolder, name: file.name },
    { folderId: toFolder, name },
    { kind: 'file', id: file.fileId },
  );
  try {
    await writeTogether(store, [
      ...names,
      moveFileRecordItem(store, file, after),
      ...(moving
        ? [...countInFolder(store, file.ownerId, fromFolder, -1), ...countInFolder(store, file.ownerId, toFolder, 1)]
        : []),
    ]);
  } catch (error) {
    if (!(error instanceof WriteRefused)) throw error;
    if (names.length === 2 && error.failed.includes(1)) throw nameTaken(name);
    const entering = names.length + (fromFolder === ROOT ? 1 : 2);
    if (moving && toFolder !== ROOT && error.failed.includes(entering)) {
      throw new Conflict('changed_meanwhile', 'The destination folder was deleted meanwhile.');
    }
    throw new Conflict('changed_meanwhile', 'The file changed meanwhile. Reload and try again.');
  }
  return { before: file, after };
}
