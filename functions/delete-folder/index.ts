import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { deleteFolder as operation } from '#contracts/api/drive';
import { deleteFolder } from '#domain/drive/delete-folder';

const db = createDocumentClient();
const deps = { ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** DELETE /api/folders/{folderId}: only an empty folder (409 `folder_not_empty` otherwise). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    await deleteFolder(deps, origin, ownerIdOf(caller), params.folderId);
    return { status: 204 };
  },
);
