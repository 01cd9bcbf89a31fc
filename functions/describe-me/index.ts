import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, quotasFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { userDirectoryFromEnvironment } from '#commons/user-directory';
import { describeMe as operation } from '#contracts/api/account';
import { type DescribeMeDeps, describeMe } from '#domain/account/describe-me';

const deps: DescribeMeDeps = {
  directory: userDirectoryFromEnvironment(),
  quotas: quotasFromEnvironment(createDocumentClient()),
  quotaBytes: readConfig('DEFAULT_QUOTA_BYTES').DEFAULT_QUOTA_BYTES,
};

/** Who am I: for scripts and the CLI. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ caller }) => ({ status: 200, body: await describeMe(deps, ownerIdOf(caller)) }),
);
