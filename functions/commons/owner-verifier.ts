import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { readConfig } from './config';
import { Unauthorized } from './errors';

export type VerifyOwner = (authorization: string | undefined) => Promise<{ ownerId: string }>;

/**
 * Verifies owner tokens (ID or access) with aws-jwt-verify: signature, issuer, client id,
 * token_use and expiry. The same code runs in Lambda, where the keys come from Cognito, and
 * locally, where `jwksUri` points the key fetch at cognito-local.
 */
export function createOwnerVerifier(config: { userPoolId: string; clientId: string; jwksUri?: string }): VerifyOwner {
  const localJwks = config.jwksUri;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: null },
    localJwks
      ? {
          jwksCache: new SimpleJwksCache({
            fetcher: { fetch: async () => (await fetch(localJwks)).arrayBuffer() },
          }),
        }
      : undefined,
  );
  return async (authorization) => {
    const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new Unauthorized('missing_token', 'Sign in first: send Authorization: Bearer <token>.');
    try {
      const payload = await verifier.verify(token);
      return { ownerId: payload.sub };
    } catch {
      throw new Unauthorized('invalid_token', 'Your sign-in is not valid or has expired. Sign in again.');
    }
  };
}

/** The owner verifier configured from this function's environment. */
export function ownerVerifierFromEnvironment(): VerifyOwner {
  const config = readConfig('USER_POOL_ID', 'USER_POOL_CLIENT_ID', 'COGNITO_JWKS_URI');
  return createOwnerVerifier({
    userPoolId: config.USER_POOL_ID,
    clientId: config.USER_POOL_CLIENT_ID,
    jwksUri: config.COGNITO_JWKS_URI,
  });
}
