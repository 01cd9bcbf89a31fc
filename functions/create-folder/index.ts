import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { createFolder as operation } from '#contracts/api/drive';
import { createFolder } from '#domain/drive/create-folder';
import { describeFolder } from '#domain/drive/folders';

const db = createDocumentClient();
const deps = { ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** POST /api/folders: a new folder at the top level or inside `parentId` (the caller's, or shared with them to edit). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => {
    const folder = await createFolder(deps, origin, ownerIdOf(caller), body);
    return { status: 201, body: describeFolder(folder) };
  },
);
