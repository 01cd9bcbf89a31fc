import { type CognitoIdentityProviderClient, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';

export interface DirectoryUser {
  readonly userId: string;
  readonly email: string;
}

/** A Cognito filter value: quotes and backslashes escaped, so an address cannot widen the filter. */
const filterValue = (value: string): string => value.replace(/["\\]/g, (char) => `\\${char}`);

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
      new ListUsersCommand({ UserPoolId: userPoolId, Filter: `email = "${filterValue(candidate)}"`, Limit: 2 }),
    );
    const user = Users?.find((found) => found.Enabled !== false);
    const sub = user?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    if (sub) return { userId: sub, email: candidate };
  }
  return undefined;
}
