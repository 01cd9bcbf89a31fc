import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listSharedWithMe as operation } from '#contracts/api/sharing';
import { describeFile } from '#domain/drive/file-records';
import { describeFolder } from '#domain/drive/folders';
import { listSharedWithMe, type SharedThing } from '#domain/sharing/list-shared-with-me';

const drive = driveFromEnvironment();

/** What a grantee sees of one share: the thing as it is now. */
function describeShared({ share, ...thing }: SharedThing) {
  const common = { shareId: share.shareId, role: share.role, ownerId: share.ownerId, sharedAt: share.createdAt };
  return thing.kind === 'file'
    ? { ...common, kind: thing.kind, file: describeFile(thing.file) }
    : { ...common, kind: thing.kind, folder: describeFolder(thing.folder) };
}

/** GET /api/shared-with-me: files and folders others shared with the caller, newest share first. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listSharedWithMe(drive, ownerIdOf(caller), query);
    return {
      status: 200,
      body: { items: page.shared.map(describeShared), ...(page.cursor ? { cursor: page.cursor } : {}) },
    };
  },
);
