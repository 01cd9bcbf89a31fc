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
