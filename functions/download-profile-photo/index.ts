import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { downloadProfilePhoto as operation } from '#contracts/api/uploads';
import { presignProfilePhoto } from '#domain/drive/stored-files';

const storage = signingStorageFromEnvironment(createDocumentClient());

/** GET /api/profile/photo answers a short-lived URL of the current picture, or 404 when there is none yet. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ caller }) => ({ status: 200, body: await presignProfilePhoto(storage, ownerIdOf(caller)) }),
);
