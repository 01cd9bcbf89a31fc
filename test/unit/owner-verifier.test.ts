import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ServiceUnavailable, Unauthorized } from '#commons/errors';
import { createOwnerVerifier } from '#commons/owner-verifier';

/** A port nothing listens on: taken, then freed, so connecting to it is refused for real. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Well-formed and unexpired, so the verifier must fetch the keys to judge its signature. */
const tokenFor = (userPoolId: string, clientId: string) =>
  [
    base64url({ alg: 'RS256', kid: 'key-1', typ: 'JWT' }),
    base64url({
      sub: 'owner-1',
      iss: `https://cognito-idp.us-east-1.amazonaws.com/${userPoolId}`,
      aud: clientId,
      token_use: 'id',
      exp: Math.floor(Date.now() / 1000) + 600,
    }),
    'c2lnbmF0dXJl',
  ].join('.');

describe('the owner verifier when the signing keys cannot be fetched', () => {
  it('answers 503 service_unavailable, not "sign in again", when the key endpoint refuses', async () => {
    // prepare
    const userPoolId = 'us-east-1_unitPool';
    const verify = createOwnerVerifier({
      userPoolId,
      clientId: 'client-1',
      jwksUri: `http://127.0.0.1:${await closedPort()}/${userPoolId}/.well-known/jwks.json`,
    });

    // act
    const failure = await verify(`Bearer ${tokenFor(userPoolId, 'client-1')}`).catch((error: unknown) => error);

    // assess
    expect(failure).toBeInstanceOf(ServiceUnavailable);
    expect(failure).not.toBeInstanceOf(Unauthorized);
    expect((failure as ServiceUnavailable).status).toBe(503);
  });
});

describe('the owner verifier on what the Authorization header holds', () => {
  const verify = createOwnerVerifier({
    userPoolId: 'us-east-1_unitPool',
    clientId: 'client-1',
    jwksUri: 'http://127.0.0.1:9/none',
  });
  const codeOf = async (authorization: string | undefined) =>
    ((await verify(authorization).catch((error: unknown) => error)) as Unauthorized).code;

  it.each([
    ['Bearer abc', 'invalid_token'],
    ['bearer abc', 'invalid_token'],
    ['Bearer a.b', 'invalid_token'],
    ['Bearer   ', 'missing_token'],
    ['Basic YTpi', 'missing_token'],
    [undefined, 'missing_token'],
  ])('answers %s with %s, before any key is fetched', async (authorization, code) => {
    // act
    const answered = await codeOf(authorization);

    // assess
    expect(answered).toBe(code);
  });
});
