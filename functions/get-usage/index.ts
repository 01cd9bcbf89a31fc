import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, quotasFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { getUsage as operation } from '#contracts/api/account';
import { getUsage } from '#domain/quotas/usage-report';

const config = readConfig('DEFAULT_QUOTA_BYTES');
const quotas = quotasFromEnvironment(createDocumentClient());

/** The owner's storage: bytes used by released files, reserved by unfinished uploads, and the limit. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ caller }) => ({
    status: 200,
    body: await getUsage(quotas, ownerIdOf(caller), config.DEFAULT_QUOTA_BYTES),
  }),
);
