import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listFolders as operation } from '#contracts/api/drive';
import { accessFolder } from '#domain/drive/access';
import { describeFolder, type FolderRecord } from '#domain/drive/folders';
import { listFolderItems } from '#domain/drive/listing';

const drive = driveFromEnvironment(createDocumentClient());

/** GET /api/folders: the subfolders of `parent` (the top level without it), by name unless asked otherwise. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ query, caller }) => {
    const parent = await accessFolder(drive, ownerIdOf(caller), query.parent, 'view');
    const page = await listFolderItems(drive.files, parent.ownerId, parent.folderId, 'folders', query);
    return {
      status: 200,
      body: {
        items: (page.items as FolderRecord[]).map(describeFolder),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
    };
  },
);
