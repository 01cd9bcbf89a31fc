import type { ListOrder } from '#contracts/api/drive';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { listFolderItems } from '#domain/drive/folder-contents';
import type { FolderRecord } from '#domain/drive/folders';

/** One page of a folder's subfolders (the caller's, or a folder shared with them), in the asked order. */
export async function listFolders(
  deps: DriveDeps,
  userId: string,
  request: ListOrder & { parent: string; limit: number; cursor?: string | undefined },
): Promise<{ folders: FolderRecord[]; cursor?: string }> {
  const parent = await accessFolder(deps, userId, request.parent, 'view');
  const page = await listFolderItems(deps.files, parent.ownerId, parent.folderId, 'folders', request);
  return { folders: page.items as FolderRecord[], ...(page.cursor ? { cursor: page.cursor } : {}) };
}
