import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listFiles as operation } from '#contracts/api/drive';
import { describeFile } from '#domain/drive/file-records';
import { listFiles } from '#domain/drive/list-files';

const drive = driveFromEnvironment();

/**
 * One folder's files (the top level without `folder`, as in API v1), newest first unless
 * another order is asked for. Works the same on a folder shared with the caller.
 */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listFiles(drive, ownerIdOf(caller), query);
    return {
      status: 200,
      body: { items: page.files.map(describeFile), ...(page.cursor ? { cursor: page.cursor } : {}) },
    };
  },
);
