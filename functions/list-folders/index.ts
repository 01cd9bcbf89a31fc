import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listFolders as operation } from '#contracts/api/drive';
import { describeFolder } from '#domain/drive/folders';
import { listFolders } from '#domain/drive/list-folders';

const drive = driveFromEnvironment();

/** GET /api/folders: the subfolders of `parent` (the top level without it), by name unless asked otherwise. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listFolders(drive, ownerIdOf(caller), query);
    return {
      status: 200,
      body: { items: page.folders.map(describeFolder), ...(page.cursor ? { cursor: page.cursor } : {}) },
    };
  },
);
