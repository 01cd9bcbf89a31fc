import { createAuthenticator } from '#commons/authenticate';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listFiles as operation } from '#contracts/api/drive';
import { accessFolder } from '#domain/drive/access';
import { describeFile, type FileRecord } from '#domain/drive/file-records';
import { listFolderItems } from '#domain/drive/listing';

const drive = driveFromEnvironment();

/**
 * One folder's files (the top level without `folder`, as in API v1), newest first unless
 * another order is asked for. Works the same on a folder shared with the caller.
 */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const folder = await accessFolder(drive, ownerIdOf(caller), query.folder, 'view');
    const page = await listFolderItems(drive.files, folder.ownerId, folder.folderId, 'files', query);
    return {
      status: 200,
      body: {
        items: (page.items as FileRecord[]).map(describeFile),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
    };
  },
);
