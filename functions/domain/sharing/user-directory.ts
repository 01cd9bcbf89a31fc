import {
  type CognitoIdentityProviderClient,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Conflict } from '#commons/errors';

export interface DirectoryUser {
  readonly userId: string;
  readonly email: string;
}

/** The exact-match filter for an address: quotes and backslashes escaped, so an address cannot widen it. */
export const emailFilter = (email: string): string => `email = "${email.replace(/["\\]/g, (char) => `\\${char}`)}"`;

// ListUsers' largest page: every holder of an address is seen, so a verified one is never hidden behind others.
const LIST_USERS_LIMIT = 60;

const attributeOf = (user: UserType, name: string) => user.Attributes?.find((found) => found.Name === name)?.Value;

/**
 * Whether a user may receive shares sent to this address: enabled, and the address verified.
 * An address set with UpdateUserAttributes and never verified proves nothing about who holds it.
 */
export const ownsAddress = (user: UserType): boolean =>
  user.Enabled !== false && attributeOf(user, 'email_verified') === 'true' && attributeOf(user, 'sub') !== undefined;

/** A user's address as the pool holds it now, found by the user's id (`sub`), the one attribute a token proves. */
export async function describeUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  userId: string,
): Promise<{ email: string; emailVerified: boolean } | undefined> {
  // A sub is a UUID: nothing in it can widen the filter; refused anyway if it is anything else.
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
  const { Users = [] } = await client.send(
    new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${userId}"`, Limit: 1 }),
  );
  const user = Users[0];
  if (!user || attributeOf(user, 'sub') !== userId) return undefined;
  return { email: attributeOf(user, 'email') ?? '', emailVerified: attributeOf(user, 'email_verified') === 'true' };
}

/**
 * Finds the one user who holds this e-mail address, verified, in the pool, or undefined. Two
 * verified holders are refused rather than guessed between. Only `ListUsers` with an exact
 * `email =` filter: the function may do nothing else with the pool.
 */
export async function findUserByEmail(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  email: string,
): Promise<DirectoryUser | undefined> {
  const holders = new Map<string, DirectoryUser>();
  for (const candidate of new Set([email, email.toLowerCase()])) {
    const { Users = [] } = await client.send(
      new ListUsersCommand({ UserPoolId: userPoolId, Filter: emailFilter(candidate), Limit: LIST_USERS_LIMIT }),
    );
    for (const user of Users.filter(ownsAddress)) {
      const userId = attributeOf(user, 'sub') as string;
      if (!holders.has(userId)) holders.set(userId, { userId, email: candidate });
    }
  }
  if (holders.size > 1) {
    throw new Conflict(
      'email_ambiguous',
      'More than one docdrop user holds that e-mail address, so nothing was shared.',
    );
  }
  return [...holders.values()][0];
}
