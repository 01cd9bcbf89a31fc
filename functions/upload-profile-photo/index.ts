import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { uploadProfilePhoto as operation } from '#contracts/api/uploads';
import { presignProfilePhotoUpload } from '#domain/uploads/presign-upload';

const db = createDocumentClient();
const deps = {
  storage: signingStorageFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
  uploadUrlSeconds: readConfig('UPLOAD_URL_SECONDS').UPLOAD_URL_SECONDS,
};

/**
 * PUT /api/profile/photo presigns a profile photo upload (an image of at most 5 MB); the validator
 * turns it into the owner's 400x400 picture. The same upload contract and confirm route as any upload.
 */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => ({
    status: 201,
    body: await presignProfilePhotoUpload(deps, origin, ownerIdOf(caller), body),
  }),
);
