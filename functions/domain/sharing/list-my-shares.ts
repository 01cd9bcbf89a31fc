import type { DriveDeps } from '#domain/drive/access';
import { getFile } from '#domain/drive/file-records';
import { getFolder } from '#domain/drive/folders';
import { listShares, type ShareRecord } from '#domain/sharing/shares';

/** The shared thing's current name; undefined once it was deleted (the share then gives nothing). */
async function nameOfTarget(deps: DriveDeps, share: ShareRecord): Promise<string | undefined> {
  if (share.targetKind === 'file') return (await getFile(deps.files, share.ownerId, share.targetId))?.name;
  return (await getFolder(deps.files, share.ownerId, share.targetId))?.name;
}

/** One page of what the caller shared, newest first, each with its thing's name; shares of deleted things are left out. */
export async function listMyShares(
  deps: DriveDeps,
  ownerId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ shares: { share: ShareRecord; name: string }[]; cursor?: string }> {
  const found = await listShares(deps.shares, { ownerId }, page);
  const named = await Promise.all(
    found.shares.map(async (share) => ({ share, name: await nameOfTarget(deps, share) })),
  );
  return {
    shares: named.flatMap(({ share, name }) => (name === undefined ? [] : [{ share, name }])),
    ...(found.cursor ? { cursor: found.cursor } : {}),
  };
}
