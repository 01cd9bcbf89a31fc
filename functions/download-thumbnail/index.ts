import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { downloadThumbnail as operation } from '#contracts/api/drive';
import { downloadThumbnail } from '#domain/drive/download-thumbnail';

const db = createDocumentClient();
const deps = { ...signingStorageFromEnvironment(db), ...driveFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** A short-lived URL for an image's 400x400 WebP preview; 404 for files that are not images. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => ({
    status: 200,
    body: await downloadThumbnail(deps, origin, ownerIdOf(caller), params.fileId),
  }),
);
