import type { ListOrder } from '#contracts/api/drive';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import type { FileRecord } from '#domain/drive/file-records';
import { listFolderItems } from '#domain/drive/folder-contents';

/** One page of a folder's files (the caller's, or a folder shared with them), in the asked order. */
export async function listFiles(
  deps: DriveDeps,
  userId: string,
  request: ListOrder & { folder: string; limit: number; cursor?: string | undefined },
): Promise<{ files: FileRecord[]; cursor?: string }> {
  const folder = await accessFolder(deps, userId, request.folder, 'view');
  const page = await listFolderItems(deps.files, folder.ownerId, folder.folderId, 'files', request);
  return { files: page.items as FileRecord[], ...(page.cursor ? { cursor: page.cursor } : {}) };
}
