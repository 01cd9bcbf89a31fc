import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { signOwnerUploadParts as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { type SignPartsDeps, signUploadParts, uploadCallerOf } from '#domain/uploads/upload-parts';

const db = createDocumentClient();
const links = linksFromEnvironment(db);
// Only signs: no S3 client in this bundle.
const deps: SignPartsDeps = {
  ...signingStorageFromEnvironment(db),
  drive: driveFromEnvironment(db),
  uploadUrlSeconds: readConfig('UPLOAD_URL_SECONDS').UPLOAD_URL_SECONDS,
};

/** Serves the owner and the link route: each part's PUT, pinned to its planned length and its SHA-256. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ params, body, caller }) => ({
    status: 200,
    body: { parts: await signUploadParts(deps, uploadCallerOf(caller), params.uploadId, body) },
  }),
);
