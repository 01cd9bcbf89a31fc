import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { FetchError } from 'aws-jwt-verify/error';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { dependencyCalls } from '#contracts/limits';
import { readConfig } from './config';
import { ServiceUnavailable, Unauthorized } from './errors';

const INVALID_TOKEN = () =>
  new Unauthorized('invalid_token', 'Your sign-in is not valid or has expired. Sign in again.');

export type VerifyOwner = (authorization: string | undefined) => Promise<{ ownerId: string }>;

/**
 * Verifies owner tokens (ID or access) with aws-jwt-verify: signature, issuer, client id,
 * token_use and expiry. The same code runs in Lambda, where the keys come from Cognito, and
 * locally, where `jwksUri` points the key fetch at cognito-local.
 */
export function createOwnerVerifier(config: { userPoolId: string; clientId: string; jwksUri?: string }): VerifyOwner {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: null },
    { jwksCache: new SimpleJwksCache({ fetcher: jwksFetcher(config.jwksUri) }) },
  );
  return async (authorization) => {
    const token = /^Bearer +(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (!token) throw new Unauthorized('missing_token', 'Sign in first: send Authorization: Bearer <token>.');
    // A bearer value was sent but cannot be a JWT: it is a bad token, not a missing one (RFC 6750).
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw INVALID_TOKEN();
    try {
      const payload = await verifier.verify(token);
      return { ownerId: payload.sub };
    } catch (error) {
      // The keys could not be fetched: the token may well be good, so "sign in again" would mislead.
      if (error instanceof FetchError) {
        throw new ServiceUnavailable('Sign-in cannot be checked right now. Try again shortly.', { cause: error });
      }
      throw INVALID_TOKEN();
    }
  };
}

/**
 * Fetches the signing keys within the API's call budget (aws-jwt-verify's defaults allow 3 s
 * per try and retry once). Locally the keys come from cognito-local over plain http, which
 * aws-jwt-verify's own fetcher does not speak; its failures are made FetchErrors like the cloud's.
 */
function jwksFetcher(localJwks: string | undefined) {
  const budget = { timeout: dependencyCalls.requestTimeoutMs, responseTimeout: dependencyCalls.requestTimeoutMs };
  if (!localJwks) return new SimpleFetcher({ defaultRequestOptions: budget });
  return {
    // The verifier asks for Cognito's own address (from the issuer); the keys are at cognito-local's.
    fetch: async () => {
      try {
        const response = await fetch(localJwks, { signal: AbortSignal.timeout(budget.responseTimeout) });
        if (!response.ok) throw new Error(`status ${response.status}`);
        return await response.arrayBuffer();
      } catch (error) {
        throw new FetchError(localJwks, (error as Error).message);
      }
    },
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
