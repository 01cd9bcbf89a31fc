import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { updateSettings as operation } from '#contracts/api/account';
import { updateOwnerSettings } from '#domain/account/owner-settings';

const db = createDocumentClient();
const deps = { files: { db, tableName: readConfig('FILES_TABLE').FILES_TABLE }, audit: auditLogFromEnvironment(db) };

/** PATCH /api/settings: changes what the body names (audited) and answers every setting. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => ({
    status: 200,
    body: await updateOwnerSettings(deps, origin, ownerIdOf(caller), body),
  }),
);
