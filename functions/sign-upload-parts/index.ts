import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { Conflict } from '#commons/errors';
import { httpHandler } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { signOwnerUploadParts as operation } from '#contracts/api/uploads';
import { authenticateLinkToken } from '#domain/links/upload-links';

const links = linksFromEnvironment(createDocumentClient());

// Interim: the route exists in the contract; its use case lands with issue 13's server part.
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async () => {
    throw new Conflict('not_multipart', 'Multipart uploads are not offered yet.');
  },
);
