import { createHmac, createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#contracts/routes';
import { type ApiResponse, api, newOwner, type Owner, system } from '../support/harness';

/**
 * Who may call the owner routes. Tokens the verifier must refuse for one reason alone are
 * signed here with cognito-local's own key (the one its JWKS publishes), from the claims of a
 * real sign-in with exactly one claim changed; each such test also sends the same
 * construction with the valid value and sees it accepted, so the refusal is that check's.
 */

const require = createRequire(import.meta.url);
const cognitoLocalPrivate = require('cognito-local/lib/keys/cognitoLocal.private.json') as {
  jwk: JsonWebKey & { kid: string };
  pem: string;
};
const cognitoLocalPublic = require('cognito-local/lib/keys/cognitoLocal.public.json') as { pem: string };

const COGNITO_LOCAL_KID = cognitoLocalPrivate.jwk.kid;
const cognitoLocalKey = createPrivateKey({ key: cognitoLocalPrivate.jwk, format: 'jwk' });
// Another RSA key of the same shape: a signature by it must never pass for Cognito's.
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

type Claims = Record<string, unknown>;

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const claimsOf = (jwt: string): Claims =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString('utf8')) as Claims;

/** An RS256 JWT signed with node:crypto (PKCS#1 v1.5 with SHA-256 is what RS256 names). */
function signRs256(claims: Claims, key: KeyObject, kid: string): string {
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT', kid })}.${base64url(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key).toString('base64url')}`;
}

/** The claims of a real token, re-dated to be valid now, with `changes` applied (undefined removes a claim). */
function reissued(realToken: string, changes: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  const claims: Claims = { ...claimsOf(realToken), auth_time: now, iat: now, exp: now + 600 };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return claims;
}

/** A token as cognito-local would have issued it, but with chosen claims. */
const signedByCognitoLocal = (realToken: string, changes: Claims = {}): string =>
  signRs256(reissued(realToken, changes), cognitoLocalKey, COGNITO_LOCAL_KID);

const NEW_LINK = { label: 'Owner auth check', expiresInHours: 1, maxUploads: 1 };

/** GET /api/files and POST /api/links, the two owner routes every case is tried on, with a raw Authorization value. */
async function callOwnerRoutes(authorization: string | undefined): Promise<ApiResponse[]> {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  return [await api('GET', '/api/files', { headers }), await api('POST', '/api/links', { headers, body: NEW_LINK })];
}

const bearer = (token: string): string => `Bearer ${token}`;

function expectRefused(responses: ApiResponse[], code: string): void {
  for (const response of responses) {
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    expect(response.body.error.message.length).toBeGreaterThan(0);
  }
}

function expectAccepted(responses: ApiResponse[]): void {
  const [list, link] = responses;
  expect(list?.status).toBe(200);
  expect(Array.isArray(list?.body.items)).toBe(true);
  expect(link?.status).toBe(201);
  expect(link?.body.linkId).toEqual(expect.any(String));
}

describe('owner authentication', () => {
  let owner: Owner;

  beforeAll(async () => {
    owner = await newOwner();
  });

  describe('real sign-ins', () => {
    it('accepts the ID token of a real sign-in', async () => {
      // act
      const responses = await callOwnerRoutes(bearer(owner.idToken));

      // assess
      expectAccepted(responses);
    });

    it('accepts the access token of a real sign-in', async () => {
      // act
      const responses = await callOwnerRoutes(bearer(owner.accessToken));

      // assess
      expectAccepted(responses);
    });

    it('acts as the owner the token names', async () => {
      // prepare
      const created = await api('POST', '/api/links', { token: owner.accessToken, body: NEW_LINK });

      // act
      const listed = await api('GET', '/api/links?limit=100', { token: owner.idToken });

      // assess
      expect(created.status).toBe(201);
      expect(listed.body.items.map((link: { linkId: string }) => link.linkId)).toContain(created.body.linkId);
    });
  });

  describe('requests without a bearer token', () => {
    it('answers 401 missing_token on every owner route when no Authorization header is sent', async () => {
      // prepare: every owner route of the shared route table, with well-formed ids in its path
      const ownerRoutes = routes.filter((route) => route.caller === 'owner');
      expect(ownerRoutes.length).toBeGreaterThan(0);

      // act
      const responses = await Promise.all(
        ownerRoutes.map(async (route) => ({
          route: `${route.method} ${route.path}`,
          response: await api(route.method, route.path.replace(/\{\w+\}/g, 'AAAAAAAAAAAAAAAA'), {
            ...(route.method === 'POST' ? { body: {} } : {}),
          }),
        })),
      );

      // assess
      for (const { route, response } of responses) {
        expect({ route, status: response.status, code: response.body?.error?.code }).toEqual({
          route,
          status: 401,
          code: 'missing_token',
        });
      }
    });

    it.each([
      ['a short word', 'Bearer abc'],
      ['a dashed word', 'Bearer not-a-token'],
      ['two segments', 'Bearer aaaa.bbbb'],
      ['a lower-case scheme', 'bearer abc'],
    ])(
      'answers 401 invalid_token, not missing_token, when a bearer value is sent that is not a JWT (%s)',
      async (_case, authorization) => {
        // act
        const responses = await callOwnerRoutes(authorization);

        // assess
        expectRefused(responses, 'invalid_token');
      },
    );

    it('answers 401 when the bearer value is three segments of garbage', async () => {
      // act
      const responses = await callOwnerRoutes('Bearer aaaa.bbbb.cccc');

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it('answers 401 when the bearer value is an empty string', async () => {
      // act
      const responses = await callOwnerRoutes('Bearer ');

      // assess
      expectRefused(responses, 'missing_token');
    });

    it.each([
      ['Basic', (token: string) => `Basic ${token}`],
      ['Token', (token: string) => `Token ${token}`],
      ['no scheme at all', (token: string) => token],
    ])('answers 401 for a valid ID token sent with another scheme (%s)', async (_scheme, authorization) => {
      // act
      const responses = await callOwnerRoutes(authorization(owner.idToken));

      // assess
      expectRefused(responses, 'missing_token');
    });

    it('answers 401 for Basic credentials', async () => {
      // act
      const responses = await callOwnerRoutes(`Basic ${Buffer.from(`${owner.email}:password`).toString('base64')}`);

      // assess
      expectRefused(responses, 'missing_token');
    });
  });

  describe('tokens whose signature does not hold', () => {
    it('refuses a real token whose payload was changed by one character after signing', async () => {
      // prepare: the sub claim's last character changed, the rest and the signature kept
      const [header, payload, signature] = owner.idToken.split('.') as [string, string, string];
      const json = Buffer.from(payload, 'base64url').toString('utf8');
      const sub = claimsOf(owner.idToken).sub as string;
      const changedSub = `${sub.slice(0, -1)}${sub.endsWith('0') ? '1' : '0'}`;
      const tamperedJson = json.replace(`"sub":"${sub}"`, `"sub":"${changedSub}"`);
      expect(tamperedJson).not.toBe(json);
      expect(tamperedJson.length).toBe(json.length);
      const tampered = `${header}.${Buffer.from(tamperedJson).toString('base64url')}.${signature}`;

      // act
      const responses = await callOwnerRoutes(bearer(tampered));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it('refuses a real token with one character of its encoded payload flipped', async () => {
      // prepare
      const [header, payload, signature] = owner.accessToken.split('.') as [string, string, string];
      const at = Math.floor(payload.length / 2);
      const flipped = `${payload.slice(0, at)}${payload[at] === 'A' ? 'B' : 'A'}${payload.slice(at + 1)}`;

      // act
      const responses = await callOwnerRoutes(bearer(`${header}.${flipped}.${signature}`));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it("refuses another owner's claims pasted onto a real token's signature", async () => {
      // prepare: the payload of owner B with the signature of owner A's token
      const other = await newOwner();
      const [header, , signature] = owner.idToken.split('.') as [string, string, string];
      const otherPayload = other.idToken.split('.')[1] as string;

      // act
      const responses = await callOwnerRoutes(bearer(`${header}.${otherPayload}.${signature}`));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it("refuses a token with valid claims signed by another RSA key under cognito-local's kid", async () => {
      // prepare
      const control = signRs256(reissued(owner.idToken), cognitoLocalKey, COGNITO_LOCAL_KID);
      const forged = signRs256(reissued(owner.idToken), strangerKey, COGNITO_LOCAL_KID);

      // act
      const accepted = await callOwnerRoutes(bearer(control));
      const refused = await callOwnerRoutes(bearer(forged));

      // assess
      expectAccepted(accepted);
      expectRefused(refused, 'invalid_token');
    });

    it('refuses a token with valid claims signed by another RSA key under an unknown kid, and still serves real owners', async () => {
      // prepare
      const forged = signRs256(reissued(owner.accessToken), strangerKey, 'attacker-key-1');

      // act
      const refused = await callOwnerRoutes(bearer(forged));
      const afterwards = await callOwnerRoutes(bearer(owner.accessToken));

      // assess: the unknown kid costs the verifier a JWKS refetch, not its cached keys
      expectRefused(refused, 'invalid_token');
      expectAccepted(afterwards);
    });

    it('refuses a token signed with HS256 using the public key as the secret', async () => {
      // prepare: the classic algorithm confusion
      const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: COGNITO_LOCAL_KID })}.${base64url(reissued(owner.idToken))}`;
      const mac = createHmac('sha256', cognitoLocalPublic.pem).update(signingInput).digest('base64url');

      // act
      const responses = await callOwnerRoutes(bearer(`${signingInput}.${mac}`));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it('refuses an unsigned token (alg none)', async () => {
      // prepare: a non-empty third segment so the request reaches the verifier
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT', kid: COGNITO_LOCAL_KID })}.${base64url(reissued(owner.idToken))}.AA`;

      // act
      const responses = await callOwnerRoutes(bearer(unsigned));

      // assess
      expectRefused(responses, 'invalid_token');
    });
  });

  describe("tokens signed with cognito-local's key whose claims are wrong", () => {
    const now = () => Math.floor(Date.now() / 1000);

    it.each(['idToken', 'accessToken'] as const)(
      'accepts a %s re-signed from real claims (the construction the cases below change one claim of)',
      async (kind) => {
        // prepare
        const resigned = signedByCognitoLocal(owner[kind]);

        // act
        const responses = await callOwnerRoutes(bearer(resigned));

        // assess
        expectAccepted(responses);
      },
    );

    it.each(['idToken', 'accessToken'] as const)('refuses an expired %s', async (kind) => {
      // prepare
      const expired = signedByCognitoLocal(owner[kind], {
        auth_time: now() - 7200,
        iat: now() - 7200,
        exp: now() - 3600,
      });
      const control = signedByCognitoLocal(owner[kind], {
        auth_time: now() - 7200,
        iat: now() - 7200,
        exp: now() + 600,
      });

      // act
      const refused = await callOwnerRoutes(bearer(expired));
      const accepted = await callOwnerRoutes(bearer(control));

      // assess
      expectRefused(refused, 'invalid_token');
      expectAccepted(accepted);
    });

    it('refuses an expired token even when it expired only a few seconds ago', async () => {
      // prepare
      const justExpired = signedByCognitoLocal(owner.idToken, { exp: now() - 5 });

      // act
      const responses = await callOwnerRoutes(bearer(justExpired));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it('refuses an ID token issued to another app client (aud)', async () => {
      // prepare
      const otherClient = signedByCognitoLocal(owner.idToken, { aud: 'someotherappclientid0000' });
      const control = signedByCognitoLocal(owner.idToken, { aud: system.userPoolClientId });

      // act
      const refused = await callOwnerRoutes(bearer(otherClient));
      const accepted = await callOwnerRoutes(bearer(control));

      // assess
      expectRefused(refused, 'invalid_token');
      expectAccepted(accepted);
    });

    it('refuses an access token issued to another app client (client_id)', async () => {
      // prepare
      const otherClient = signedByCognitoLocal(owner.accessToken, { client_id: 'someotherappclientid0000' });
      const control = signedByCognitoLocal(owner.accessToken, { client_id: system.userPoolClientId });

      // act
      const refused = await callOwnerRoutes(bearer(otherClient));
      const accepted = await callOwnerRoutes(bearer(control));

      // assess
      expectRefused(refused, 'invalid_token');
      expectAccepted(accepted);
    });

    it('refuses an ID token that names no app client', async () => {
      // prepare
      const noClient = signedByCognitoLocal(owner.idToken, { aud: undefined });

      // act
      const responses = await callOwnerRoutes(bearer(noClient));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it.each([
      ['idToken', 'id'],
      ['accessToken', 'access'],
    ] as const)('refuses a %s whose token_use is "refresh"', async (kind, realUse) => {
      // prepare
      const refresh = signedByCognitoLocal(owner[kind], { token_use: 'refresh' });
      const control = signedByCognitoLocal(owner[kind], { token_use: realUse });

      // act
      const refused = await callOwnerRoutes(bearer(refresh));
      const accepted = await callOwnerRoutes(bearer(control));

      // assess
      expectRefused(refused, 'invalid_token');
      expectAccepted(accepted);
    });

    it.each([
      ['idToken', 'id'],
      ['accessToken', 'access'],
    ] as const)('refuses a %s without token_use', async (kind, realUse) => {
      // prepare
      const noUse = signedByCognitoLocal(owner[kind], { token_use: undefined });
      const control = signedByCognitoLocal(owner[kind], { token_use: realUse });

      // act
      const refused = await callOwnerRoutes(bearer(noUse));
      const accepted = await callOwnerRoutes(bearer(control));

      // assess
      expectRefused(refused, 'invalid_token');
      expectAccepted(accepted);
    });

    it.each(['idToken', 'accessToken'] as const)(
      'refuses a %s issued by another user pool of the same region',
      async (kind) => {
        // prepare
        const issuer = claimsOf(owner[kind]).iss as string;
        expect(issuer).toBe(`https://cognito-idp.${system.region}.amazonaws.com/${system.userPoolId}`);
        const otherPool = signedByCognitoLocal(owner[kind], {
          iss: `https://cognito-idp.${system.region}.amazonaws.com/${system.region}_otherPool1`,
        });
        const control = signedByCognitoLocal(owner[kind], { iss: issuer });

        // act
        const refused = await callOwnerRoutes(bearer(otherPool));
        const accepted = await callOwnerRoutes(bearer(control));

        // assess
        expectRefused(refused, 'invalid_token');
        expectAccepted(accepted);
      },
    );

    it('refuses a token naming the same pool id on another issuer host', async () => {
      // prepare
      const otherHost = signedByCognitoLocal(owner.idToken, {
        iss: `https://cognito-idp.eu-west-1.amazonaws.com/${system.userPoolId}`,
      });

      // act
      const responses = await callOwnerRoutes(bearer(otherHost));

      // assess
      expectRefused(responses, 'invalid_token');
    });

    it('refuses a token without an issuer', async () => {
      // prepare
      const noIssuer = signedByCognitoLocal(owner.idToken, { iss: undefined });

      // act
      const responses = await callOwnerRoutes(bearer(noIssuer));

      // assess
      expectRefused(responses, 'invalid_token');
    });
  });
});
