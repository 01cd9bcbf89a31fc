import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { linksFromEnvironment } from '#commons/links';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { linkRequest, createLink as operation } from '#contracts/api/links';
import { createLink } from '#domain/links/create-link';

const config = readConfig('WEB_BASE_URL', 'MAX_FILE_BYTES');
const db = createDocumentClient();
const deps = { links: linksFromEnvironment(db), audit: auditLogFromEnvironment(db), webBaseUrl: config.WEB_BASE_URL };

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    // The link's size limit is capped by this deployment's per-file limit.
    body: linkRequest(config.MAX_FILE_BYTES),
  },
  async ({ body, caller, origin }) => ({ status: 201, body: await createLink(deps, origin, ownerIdOf(caller), body) }),
);
