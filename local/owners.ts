import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';

/** The owner `npm start` seeds and prints; local only. */
export const DEMO_OWNER = { email: 'demo@docdrop.local', password: 'Docdrop-demo-2026!' };

/** Where a local user pool is: what `GET /config.json` says. */
export interface LocalPool {
  readonly cognitoEndpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
}

export interface Credentials {
  readonly email: string;
  readonly password: string;
}

export function localIdentityProvider(endpoint: string, region: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates a confirmed owner with a permanent password, unless one with that e-mail exists. */
export async function seedOwner(pool: Omit<LocalPool, 'userPoolClientId'>, owner: Credentials): Promise<void> {
  const idp = localIdentityProvider(pool.cognitoEndpoint, pool.region);
  try {
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: owner.email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: owner.email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await idp.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.userPoolId,
        Username: owner.email,
        Password: owner.password,
        Permanent: true,
      }),
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  } finally {
    idp.destroy();
  }
}

/**
 * A temporary password within the pool's policy (upper, lower, digit, symbol, length), as
 * Cognito makes one when an operator creates a user.
 */
export function temporaryPassword(): string {
  return `Tmp-${randomBytes(9).toString('base64url')}-a1A!`;
}

/**
 * What `aws cognito-idp admin-create-user` does, against the local pool: the owner exists with a
 * temporary password (FORCE_CHANGE_PASSWORD) and must choose a new one at first sign-in.
 */
export async function createOwnerAsOperator(
  pool: Omit<LocalPool, 'userPoolClientId'>,
  email: string,
): Promise<{ temporaryPassword: string }> {
  const idp = localIdentityProvider(pool.cognitoEndpoint, pool.region);
  const password = temporaryPassword();
  try {
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        TemporaryPassword: password,
        // Locally the "e-mail" is the line the caller prints.
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    return { temporaryPassword: password };
  } finally {
    idp.destroy();
  }
}

/** Signs an owner in with USER_PASSWORD_AUTH (cognito-local has no SRP). */
export async function signIn(pool: LocalPool, owner: Credentials): Promise<{ idToken: string; accessToken: string }> {
  const idp = localIdentityProvider(pool.cognitoEndpoint, pool.region);
  try {
    const { AuthenticationResult } = await idp.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: pool.userPoolClientId,
        AuthParameters: { USERNAME: owner.email, PASSWORD: owner.password },
      }),
    );
    if (!AuthenticationResult?.IdToken || !AuthenticationResult.AccessToken)
      throw new Error('sign-in returned no tokens');
    return { idToken: AuthenticationResult.IdToken, accessToken: AuthenticationResult.AccessToken };
  } finally {
    idp.destroy();
  }
}
