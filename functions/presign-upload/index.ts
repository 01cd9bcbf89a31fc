import { createAuthenticator } from '#commons/authenticate';
import { httpHandler, linkOf, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { uploadSigningFromEnvironment } from '#commons/uploads';
import { presignOwnerUpload as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { type PresignDeps, presignLinkUpload, presignOwnerUpload } from '#domain/uploads/presign-upload';

const deps: PresignDeps = uploadSigningFromEnvironment();

/** Serves the owner and the link route, which take the same body (contracts/api/uploads.ts). */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(deps.links, token),
    }),
  },
  async ({ body, caller, origin }) => ({
    status: 201,
    body:
      caller.kind === 'link'
        ? await presignLinkUpload(deps, origin, linkOf(caller), body)
        : await presignOwnerUpload(deps, origin, ownerIdOf(caller), body),
  }),
);
