import type { ListOrder } from '#contracts/api/drive';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, stillListed } from '#domain/drive/file-records';
import { listFolderItems } from '#domain/drive/folder-contents';

/** One page of a folder's files (the caller's, or a folder shared with them), in the asked order. */
export async function listFiles(
  deps: DriveDeps,
  userId: string,
  request: ListOrder & { folder: string; limit: number; cursor?: string | undefined },
): Promise<{ files: FileRecord[]; cursor?: string }> {
  const folder = await accessFolder(deps, userId, request.folder, 'view');
  const page = await listFolderItems(deps.files, folder.ownerId, folder.folderId, 'files', request);
  // An expired upload is listed for a day; TTL removes it later than that, so the day is compared here.
  const files = (page.items as FileRecord[]).filter((file) => stillListed(file));
  return { files, ...(page.cursor ? { cursor: page.cursor } : {}) };
}
