import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { deleteFile as operation } from '#contracts/api/drive';
import { deleteFile } from '#domain/drive/delete-file';

const db = createDocumentClient();
const deps = {
  ...storageFromEnvironment(db),
  ...driveFromEnvironment(db),
  quotas: quotasFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
};

/** DELETE /api/files/{fileId}: the bytes, the thumbnail and the record; its bytes leave the quota. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    await deleteFile(deps, origin, ownerIdOf(caller), params.fileId);
    return { status: 204 };
  },
);
