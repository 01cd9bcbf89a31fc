import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { updateFolder as operation } from '#contracts/api/drive';
import { describeFolder } from '#domain/drive/folders';
import { updateFolder } from '#domain/drive/update-folder';

const db = createDocumentClient();
const deps = { ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** PATCH /api/folders/{folderId}: rename and/or move (`parentId`); nothing under it is copied or changed. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, body, caller, origin }) => {
    const folder = await updateFolder(deps, origin, ownerIdOf(caller), params.folderId, body);
    return { status: 200, body: describeFolder(folder) };
  },
);
