import type { DriveDeps } from '#domain/drive/access';
import { type FileRecord, getFile } from '#domain/drive/file-records';
import { type FolderRecord, getFolder } from '#domain/drive/folders';
import { listShares, type ShareRecord } from '#domain/sharing/shares';

/** A share granted to the caller, with the shared thing as it is now. */
export type SharedThing =
  | { readonly share: ShareRecord; readonly kind: 'file'; readonly file: FileRecord }
  | { readonly share: ShareRecord; readonly kind: 'folder'; readonly folder: FolderRecord };

/** The shared thing as it is now; a share whose file or folder is gone shows nothing. */
async function sharedThing(deps: DriveDeps, share: ShareRecord): Promise<SharedThing | undefined> {
  if (share.targetKind === 'file') {
    const file = await getFile(deps.files, share.ownerId, share.targetId);
    return file && !file.mergedInto ? { share, kind: 'file', file } : undefined;
  }
  const folder = await getFolder(deps.files, share.ownerId, share.targetId);
  return folder ? { share, kind: 'folder', folder } : undefined;
}

/** One page of the files and folders others shared with the caller, newest share first. */
export async function listSharedWithMe(
  deps: DriveDeps,
  granteeId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ shared: SharedThing[]; cursor?: string }> {
  const found = await listShares(deps.shares, { granteeId }, page);
  const shared = (await Promise.all(found.shares.map((share) => sharedThing(deps, share)))).filter(
    (thing) => thing !== undefined,
  );
  return { shared, ...(found.cursor ? { cursor: found.cursor } : {}) };
}
