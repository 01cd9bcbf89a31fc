import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, linkOf, ownerIdOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { abandonOwnerUpload as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { type AbandonDeps, abandonLinkUpload, abandonOwnerUpload } from '#domain/uploads/abandon-upload';

const db = createDocumentClient();
const deps: AbandonDeps = {
  storage: storageFromEnvironment(db),
  drive: driveFromEnvironment(db),
  quotas: quotasFromEnvironment(db),
  links: linksFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
};

/** Serves the owner and the link route: an upload not yet sent is given up, with everything it held. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(deps.links, token),
    }),
  },
  async ({ params, caller, origin }) => {
    if (caller.kind === 'link') await abandonLinkUpload(deps, origin, linkOf(caller), params.uploadId);
    else await abandonOwnerUpload(deps, origin, ownerIdOf(caller), params.uploadId);
    return { status: 204 };
  },
);
