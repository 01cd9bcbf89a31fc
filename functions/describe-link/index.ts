import { createAuthenticator } from '#commons/authenticate';
import { httpHandler, linkOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { describeLink as operation } from '#contracts/api/links';
import { authenticateLinkToken, describeLinkForClient } from '#domain/links/upload-links';

const links = linksFromEnvironment();

/** What a client holding the link may send, so the drop page can say so before any upload. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ link: (token) => authenticateLinkToken(links, token) }) },
  async ({ caller }) => ({ status: 200, body: describeLinkForClient(linkOf(caller)) }),
);
