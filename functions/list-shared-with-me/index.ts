import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listSharedWithMe as operation } from '#contracts/api/sharing';
import { describeFile, getFile } from '#domain/drive/file-records';
import { describeFolder, getFolder } from '#domain/drive/folders';
import { listShares, type ShareRecord } from '#domain/sharing/shares';

const drive = driveFromEnvironment();

/** The shared thing as it is now; a share whose file or folder is gone shows nothing. */
async function describeShared(share: ShareRecord) {
  const common = { shareId: share.shareId, role: share.role, ownerId: share.ownerId, sharedAt: share.createdAt };
  if (share.targetKind === 'file') {
    const file = await getFile(drive.files, share.ownerId, share.targetId);
    return file && !file.mergedInto ? { ...common, kind: 'file' as const, file: describeFile(file) } : undefined;
  }
  const folder = await getFolder(drive.files, share.ownerId, share.targetId);
  return folder ? { ...common, kind: 'folder' as const, folder: describeFolder(folder) } : undefined;
}

/** GET /api/shared-with-me: files and folders others shared with the caller, newest share first. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listShares(drive.shares, { granteeId: ownerIdOf(caller) }, query);
    const items = (await Promise.all(page.shares.map(describeShared))).filter((item) => item !== undefined);
    return { status: 200, body: { items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
  },
);
