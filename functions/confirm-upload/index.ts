import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, linkOf, ownerIdOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { revalidationFromEnvironment } from '#commons/validation-requests';
import { confirmOwnerUpload as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { confirmLinkUpload, confirmOwnerUpload, uploadOutcome } from '#domain/uploads/confirm-upload';

const db = createDocumentClient();
const links = linksFromEnvironment(db);
const storage = storageFromEnvironment(db);
const deps = {
  storage,
  drive: driveFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
  revalidation: revalidationFromEnvironment(storage.bucket),
};

/** Serves the owner and the link route: the answer is the upload's current state. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ params, caller, origin }) => {
    if (caller.kind === 'link') {
      const file = await confirmLinkUpload(deps, origin, linkOf(caller), params.uploadId);
      return { status: 200, body: { uploadId: file.fileId, ...uploadOutcome(file) } };
    }
    const file = await confirmOwnerUpload(deps, origin, ownerIdOf(caller), params.uploadId);
    // A replace upload became a new version of the file it replaced: that is the file to name.
    return { status: 200, body: { fileId: file.mergedInto ?? file.fileId, ...uploadOutcome(file) } };
  },
);
