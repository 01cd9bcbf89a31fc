import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listOwnerUploadParts as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { listUploadParts, type PartsStorageDeps, uploadCallerOf } from '#domain/uploads/upload-parts';

const db = createDocumentClient();
const links = linksFromEnvironment(db);
const deps: PartsStorageDeps = { ...storageFromEnvironment(db), drive: driveFromEnvironment(db) };

/** Serves the owner and the link route: the parts storage holds, so a client resumes with the others. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ params, caller }) => ({
    status: 200,
    body: { parts: await listUploadParts(deps, uploadCallerOf(caller), params.uploadId) },
  }),
);
