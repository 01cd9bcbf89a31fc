import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { downloadFile as operation } from '#contracts/api/drive';
import { downloadFile } from '#domain/drive/download-file';

const db = createDocumentClient();
const deps = { ...signingStorageFromEnvironment(db), ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** A short-lived URL for a released file, named as it was uploaded. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => {
    const { url, expiresAt } = await downloadFile(deps, origin, ownerIdOf(caller), params.fileId);
    return { status: 200, body: { url, expiresAt } };
  },
);
