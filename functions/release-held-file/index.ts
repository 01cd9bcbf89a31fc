import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { releaseHeldFile as operation } from '#contracts/api/drive';
import { releaseHeldFile } from '#domain/drive/held-files';

const db = createDocumentClient();
const deps = { ...storageFromEnvironment(db), quotas: quotasFromEnvironment(db), audit: auditLogFromEnvironment(db) };

/** POST /api/files/{fileId}/release: the owner releases a held file; it is judged again as any upload (202, pending). */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ params, caller, origin }) => ({
    status: 202,
    body: await releaseHeldFile(deps, origin, ownerIdOf(caller), params.fileId),
  }),
);
