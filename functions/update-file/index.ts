import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { updateFile as operation } from '#contracts/api/drive';
import { describeFile } from '#domain/drive/file-records';
import { renameOrMoveFile } from '#domain/drive/rename-or-move-file';

const db = createDocumentClient();
const deps = { ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** PATCH /api/files/{fileId}: rename (`name`) and/or move (`folderId`); the bytes and their key stay. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, body, caller, origin }) => {
    const file = await renameOrMoveFile(deps, origin, ownerIdOf(caller), params.fileId, body);
    return { status: 200, body: describeFile(file) };
  },
);
