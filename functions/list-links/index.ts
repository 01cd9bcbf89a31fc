import { createAuthenticator } from '#commons/authenticate';
import { httpHandler, ownerIdOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listLinks as operation } from '#contracts/api/links';
import { listLinks } from '#domain/links/list-links';

const links = linksFromEnvironment();

export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => ({ status: 200, body: await listLinks(links, ownerIdOf(caller), query) }),
);
