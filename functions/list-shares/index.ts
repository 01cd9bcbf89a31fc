import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listShares as operation } from '#contracts/api/sharing';
import { getFile } from '#domain/drive/file-records';
import { getFolder } from '#domain/drive/folders';
import { describeShare, listShares, type ShareRecord } from '#domain/sharing/shares';

const drive = driveFromEnvironment(createDocumentClient());

/** The shared thing's current name; undefined once it was deleted (the share then gives nothing). */
async function nameOfTarget(share: ShareRecord): Promise<string | undefined> {
  if (share.targetKind === 'file') return (await getFile(drive.files, share.ownerId, share.targetId))?.name;
  return (await getFolder(drive.files, share.ownerId, share.targetId))?.name;
}

/** GET /api/shares: what the caller shared, newest first, with each thing's name; shares of deleted things are left out. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listShares(drive.shares, { ownerId: ownerIdOf(caller) }, query);
    const named = await Promise.all(page.shares.map(async (share) => ({ share, name: await nameOfTarget(share) })));
    const items = named.flatMap(({ share, name }) => (name === undefined ? [] : [{ ...describeShare(share), name }]));
    return { status: 200, body: { items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
);
