import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { listLinks as operation } from '#contracts/api/links';
import { describeLinkForOwner, listUploadLinks } from '#domain/links/upload-links';

const config = readConfig('LINKS_TABLE');
const links = { db: createDocumentClient(), tableName: config.LINKS_TABLE };

export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ query, caller }) => {
    const page = await listUploadLinks(links, ownerIdOf(caller), query);
    const now = new Date();
    return {
      status: 200,
      body: {
        items: page.links.map((link) => describeLinkForOwner(link, now)),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
    };
  },
);
