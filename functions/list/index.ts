import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { pageQuery } from '#commons/schemas';
import { describeFile, listFiles } from '#domain/file-records';

const config = readConfig('FILES_TABLE');
const files = { db: createDocumentClient(), tableName: config.FILES_TABLE };

/** The owner's files newest first, their own uploads and what came in through their links. */
export const handler = httpHandler(
  { authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }), query: pageQuery },
  async ({ query, caller }) => {
    const page = await listFiles(files, ownerIdOf(caller), query);
    return {
      status: 200,
      body: { items: page.files.map(describeFile), ...(page.cursor ? { cursor: page.cursor } : {}) },
    };
  },
);
