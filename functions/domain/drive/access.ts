import { Forbidden, NotFound } from '#commons/errors';
import { type FileRecord, type FilesStore, getFile } from '#domain/drive/file-records';
import { type FolderRecord, getFolder, pathOf } from '#domain/drive/folders';
import { ROOT } from '#domain/drive/names';
import { type ShareRecord, type SharesStore, sharesGrantedTo } from '#domain/sharing/shares';

/**
 * The one place that decides what a signed-in user may do with a file or folder. Every drive
 * route asks here, with what it needs (`view`: list, download, thumbnail; `edit`: also rename,
 * move, upload into, delete). A user's own things come first; then what others shared with
 * them, read afresh on every call (no cache), so a revoked share ends access at once. What a
 * user cannot see answers 404 exactly as a thing that never existed; 403 only when they can
 * see it but only view it.
 */

export interface DriveDeps {
  readonly files: FilesStore;
  readonly shares: SharesStore;
}

export type Role = 'owner' | 'edit' | 'view';
/** `owner`: only the owner may (share it); a sharee who can see it gets 403 `not_owner`. */
export type Need = 'view' | 'edit' | 'owner';

const RANK: Record<Role, number> = { view: 1, edit: 2, owner: 3 };

export interface FileAccess {
  readonly file: FileRecord;
  /** Whose drive it is in: every read and write goes to this owner's partition and keys. */
  readonly ownerId: string;
  readonly role: Role;
}

export interface FolderAccess {
  readonly folderId: string;
  /** Undefined for the top level. */
  readonly folder?: FolderRecord;
  readonly ownerId: string;
  readonly role: Role;
  /** For a sharee: the share that gives the role (an upload through it is released only while it stands). */
  readonly shareId?: string;
}

const isDriveFile = (file: FileRecord | undefined): file is FileRecord =>
  file !== undefined && !file.mergedInto && !file.purpose;

function require<T extends { role: Role }>(found: T | undefined, need: Need, notFound: () => Error): T {
  if (!found) throw notFound();
  if (RANK[found.role] < RANK[need]) {
    throw need === 'owner'
      ? new Forbidden('not_owner', 'Only the owner can do this.')
      : new Forbidden('view_only', 'This is shared with you to view only.');
  }
  return found;
}

/**
 * The strongest role any of an owner's shares gives over a thing: a share of the thing itself,
 * or of any folder it is in (its path, nearest first). Undefined when none covers it.
 */
export function roleFrom(
  shares: readonly ShareRecord[],
  target: { kind: 'file' | 'folder'; id: string },
  folders: readonly FolderRecord[],
): Role | undefined {
  return strongestShare(shares, target, folders)?.role;
}

/** The share that gives `roleFrom`'s role. */
function strongestShare(
  shares: readonly ShareRecord[],
  target: { kind: 'file' | 'folder'; id: string },
  folders: readonly FolderRecord[],
): ShareRecord | undefined {
  const folderIds = new Set(folders.map((folder) => folder.folderId));
  let best: ShareRecord | undefined;
  for (const share of shares) {
    const covers =
      (share.targetKind === target.kind && share.targetId === target.id) ||
      (share.targetKind === 'folder' && folderIds.has(share.targetId));
    if (covers && (!best || RANK[share.role] > RANK[best.role])) best = share;
  }
  return best;
}

function byOwner(shares: readonly ShareRecord[]): Map<string, ShareRecord[]> {
  const grouped = new Map<string, ShareRecord[]>();
  for (const share of shares) grouped.set(share.ownerId, [...(grouped.get(share.ownerId) ?? []), share]);
  return grouped;
}

/** `what` names the thing in a 404 as the route calls it (a file, or an upload being confirmed). */
export async function accessFile(
  deps: DriveDeps,
  userId: string,
  fileId: string,
  need: Need,
  what: 'file' | 'upload' = 'file',
): Promise<FileAccess> {
  const notFound = () => new NotFound(`${what}_not_found`, `No such ${what}.`);
  const own = await getFile(deps.files, userId, fileId);
  if (isDriveFile(own)) return { file: own, ownerId: userId, role: 'owner' };
  return require(await sharedFile(deps, userId, fileId, isDriveFile), need, notFound);
}

/** The file as shared with the user by someone else, with the strongest role their shares give. */
async function sharedFile(
  deps: DriveDeps,
  userId: string,
  fileId: string,
  accept: (file: FileRecord | undefined) => file is FileRecord,
): Promise<FileAccess | undefined> {
  for (const [ownerId, shares] of byOwner(await sharesGrantedTo(deps.shares, userId))) {
    if (ownerId === userId) continue;
    const file = await getFile(deps.files, ownerId, fileId);
    if (!accept(file)) continue;
    const role = roleFrom(
      shares,
      { kind: 'file', id: fileId },
      await pathOf(deps.files, ownerId, file.folderId ?? ROOT),
    );
    if (role) return { file, ownerId, role };
  }
  return undefined;
}

/**
 * An upload being confirmed: the caller's own (any of their uploads, a profile photo too), or
 * one they made into a folder shared with them to edit, which is in that folder's owner's drive.
 */
export async function accessUpload(deps: DriveDeps, userId: string, uploadId: string): Promise<{ ownerId: string }> {
  if (await getFile(deps.files, userId, uploadId)) return { ownerId: userId };
  // A `replace` upload stays confirmable after it became a version of another file.
  const isUpload = (file: FileRecord | undefined): file is FileRecord => file !== undefined && !file.purpose;
  return require(await sharedFile(deps, userId, uploadId, isUpload), 'edit', () =>
    new NotFound('upload_not_found', 'No such upload.'));
}

/** A folder id as a route names it; `root` is always the caller's own top level. */
export async function accessFolder(
  deps: DriveDeps,
  userId: string,
  folderId: string,
  need: Need,
): Promise<FolderAccess> {
  const notFound = () => new NotFound('folder_not_found', 'No such folder.');
  if (folderId === ROOT) return { folderId, ownerId: userId, role: 'owner' };
  const own = await getFolder(deps.files, userId, folderId);
  if (own) return { folderId, folder: own, ownerId: userId, role: 'owner' };
  for (const [ownerId, shares] of byOwner(await sharesGrantedTo(deps.shares, userId))) {
    if (ownerId === userId) continue;
    const folder = await getFolder(deps.files, ownerId, folderId);
    if (!folder) continue;
    const share = strongestShare(shares, { kind: 'folder', id: folderId }, await pathOf(deps.files, ownerId, folderId));
    if (share) return require({ folderId, folder, ownerId, role: share.role, shareId: share.shareId }, need, notFound);
  }
  throw notFound();
}
