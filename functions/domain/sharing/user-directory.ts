import { type CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';

export interface DirectoryUser {
  readonly userId: string;
  readonly email: string;
}

/** The exact-match filter for an address: quotes and backslashes escaped, so an address cannot widen it. */
export const emailFilter = (email: string): string => `email = "${email.replace(/["\\]/g, (char) => `\\${char}`)}"`;

/**
 * Finds the user who signs in with this e-mail address in the pool, or undefined. Only
 * `ListUsers` with an exact `email =` filter: the function may do nothing else with the pool.
 */
export async function findUserByEmail(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<DirectoryUser | undefined> {
  for (const candidate of new Set([email, email.toLowerCase()])) {
    const { Users } = await client.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Filter: emailFilter(candidate), Limit: 2 }),
    );
    const user = Users?.find((found) => found.Enabled !== false);
    const sub = user?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    if (sub) return { userId: sub, email: candidate };
  }
  return undefined;
}
