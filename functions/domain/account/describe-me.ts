import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { NotFound } from '#commons/errors';
import type { QuotaStore } from '#domain/quotas/usage-item';
import { getUsage } from '#domain/quotas/usage-report';
import { describeUser } from '#domain/sharing/user-directory';

export interface DescribeMeDeps {
  readonly directory: { readonly client: CognitoIdentityProviderClient; readonly userPoolId: string };
  readonly quotas: QuotaStore;
  readonly quotaBytes: number;
}

/** The signed-in user as the pool and the quota see them now (a token's e-mail claim may be stale or absent). */
export async function describeMe(deps: DescribeMeDeps, userId: string) {
  const [user, usage] = await Promise.all([
    describeUser(deps.directory.client, deps.directory.userPoolId, userId),
    getUsage(deps.quotas, userId, deps.quotaBytes),
  ]);
  // A valid token of a user deleted since: nothing to describe.
  if (!user) throw new NotFound('user_not_found', 'This account no longer exists.');
  return { userId, ...user, usage };
}
