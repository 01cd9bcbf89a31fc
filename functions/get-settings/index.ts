import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { getSettings as operation } from '#contracts/api/account';
import { readOwnerSettings } from '#domain/account/owner-settings';

const files = { db: createDocumentClient(), tableName: readConfig('FILES_TABLE').FILES_TABLE };

/** GET /api/settings: the caller's settings, defaults filled in. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ caller }) => ({ status: 200, body: await readOwnerSettings(files, ownerIdOf(caller)) }),
);
