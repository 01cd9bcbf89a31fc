import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, linkOf } from '#commons/http';
import { describeLink as operation } from '#contracts/api/links';
import { assertLinkActive, authenticateLinkToken } from '#domain/links/upload-links';

const config = readConfig('LINKS_TABLE');
const links = { db: createDocumentClient(), tableName: config.LINKS_TABLE };

/** What a client holding the link may send, so the drop page can say so before any upload. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ link: (token) => authenticateLinkToken(links, token) }) },
  async ({ caller }) => {
    const link = linkOf(caller);
    assertLinkActive(link);
    return {
      status: 200,
      body: {
        label: link.label,
        uploadsLeft: link.maxUploads - link.usesTaken,
        maxBytes: link.maxBytes,
        allowedTypes: link.allowedTypes,
        expiresAt: link.expiresAt,
      },
    };
  },
);
