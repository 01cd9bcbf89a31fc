import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { completeOwnerUpload as operation } from '#contracts/api/uploads';
import { completionCalls } from '#contracts/limits';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { uploadOutcome } from '#domain/uploads/confirm-upload';
import { type CompleteDeps, completeUpload, uploadCallerOf } from '#domain/uploads/upload-parts';

const db = createDocumentClient();
const links = linksFromEnvironment(db);
const deps: CompleteDeps = {
  // S3 may take many seconds to assemble a large object: this function's S3 calls get longer.
  ...storageFromEnvironment(db, completionCalls),
  drive: driveFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
};

/** Serves the owner and the link route: completes with the parts storage holds; answers like confirm. */
export const handler = httpHandler(
  {
    ...operation,
    requestDeadlineMs: completionCalls.requestDeadlineMs,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ params, caller, origin }) => {
    const file = await completeUpload(deps, origin, uploadCallerOf(caller), params.uploadId);
    if (caller.kind === 'link') return { status: 200, body: { uploadId: file.fileId, ...uploadOutcome(file) } };
    // A replace upload became a new version of the file it replaced: that is the file to name.
    return { status: 200, body: { fileId: file.mergedInto ?? file.fileId, ...uploadOutcome(file) } };
  },
);
