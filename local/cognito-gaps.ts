import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { userPoolDefinition } from '#contracts/auth';

const require = createRequire(import.meta.url);
const errors = require('cognito-local/lib/errors');
const totp = require('cognito-local/lib/services/totp');
const { jwk } = require('cognito-local/lib/keys/cognitoLocal.public.json');

/**
 * Where cognito-local parts from Cognito on the sign-in paths the web app offers, and the
 * patches that make it answer as Cognito does (docs/local-system.md lists each):
 * - a temporary password is never checked: any password gets NEW_PASSWORD_REQUIRED;
 * - challenge sessions are random strings it never checks;
 * - tokens issued by RespondToAuthChallenge have a refresh token it never stores, so they cannot be refreshed;
 * - a pool requiring MFA refuses a user without MFA instead of asking for MFA_SETUP, and
 *   AssociateSoftwareToken / VerifySoftwareToken refuse a Session;
 * - a new password in NEW_PASSWORD_REQUIRED leads to tokens even when MFA must follow;
 * - no password policy anywhere;
 * - ForgotPassword and ConfirmForgotPassword tell whether an address has an account
 *   (the web client prevents user-existence errors) and ForgotPassword shows the whole address;
 * - no GlobalSignOut.
 */

/** Cognito's default for how long a challenge's session lasts (AuthSessionValidity: 3 minutes). */
const AUTH_SESSION_MS = 3 * 60_000;

type Handler = (ctx: unknown, request: unknown) => Promise<unknown>;

interface LocalUser {
  readonly Username: string;
  readonly Password?: string;
  readonly UserStatus?: string;
  readonly RefreshTokens?: string[];
  readonly UserMFASettingList?: string[];
  readonly MFAOptions?: unknown[];
  readonly SoftwareTokenMfaConfiguration?: { Secret: string; Verified: boolean; FriendlyDeviceName?: string };
}
interface LocalPool {
  readonly options: { MfaConfiguration?: string };
  getUserByUsername(ctx: unknown, username: string): Promise<LocalUser | null>;
  saveUser(ctx: unknown, user: LocalUser): Promise<void>;
  storeRefreshToken(ctx: unknown, token: string, user: LocalUser): Promise<void>;
  listUserGroupMembership(ctx: unknown, user: LocalUser): Promise<string[]>;
}
export interface CognitoLocalServices {
  readonly cognito: {
    getUserPoolForClientId(ctx: unknown, clientId: string): Promise<LocalPool>;
    getAppClient(ctx: unknown, clientId: string): Promise<unknown>;
  };
  readonly tokenGenerator: {
    generate(
      ctx: unknown,
      user: LocalUser,
      groups: string[],
      client: unknown,
      metadata: unknown,
      source: string,
    ): Promise<unknown>;
  };
}

interface Request {
  readonly ClientId: string;
  readonly AuthFlow?: string;
  readonly AuthParameters?: Record<string, string>;
  readonly ChallengeName?: string;
  readonly ChallengeResponses?: Record<string, string>;
  readonly Session?: string;
  readonly AccessToken?: string;
  readonly UserCode?: string;
  readonly Username?: string;
  readonly Password?: string;
  readonly ProposedPassword?: string;
  readonly ClientMetadata?: unknown;
}
interface Answer {
  ChallengeName?: string;
  Session?: string;
  AuthenticationResult?: { RefreshToken?: string };
  CodeDeliveryDetails?: { Destination?: string };
}

const mfaRequired = (pool: LocalPool) => pool.options.MfaConfiguration === 'ON';
const hasMfa = (user: LocalUser) => (user.UserMFASettingList ?? []).length > 0 || (user.MFAOptions ?? []).length > 0;

/** Cognito's words for a password outside the pool's policy (contracts/auth.ts). */
export function passwordPolicyProblem(password: string | undefined): string | undefined {
  const policy = userPoolDefinition.passwordPolicy;
  const value = password ?? '';
  if (value.length < policy.minimumLength) return 'Password not long enough';
  if (policy.requireUppercase && !/[A-Z]/.test(value)) return 'Password must have uppercase characters';
  if (policy.requireLowercase && !/[a-z]/.test(value)) return 'Password must have lowercase characters';
  if (policy.requireNumbers && !/[0-9]/.test(value)) return 'Password must have numeric characters';
  if (policy.requireSymbols && !/[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+-]/.test(value))
    return 'Password must have symbol characters';
  return undefined;
}

function enforcePolicy(password: string | undefined): void {
  const problem = passwordPolicyProblem(password);
  if (!problem) return;
  const error = new errors.CognitoError('InvalidPasswordException', `Password did not conform with policy: ${problem}`);
  throw error;
}

const cognitoPublicKey = createPublicKey({ key: jwk, format: 'jwk' });

/** An access token cognito-local signed and that has not expired (its own targets only decode them). */
function verifiedAccessToken(token: string | undefined): { sub: string; client_id: string } {
  const [header, payload, signature] = (token ?? '').split('.');
  const signed =
    header !== undefined &&
    payload !== undefined &&
    signature !== undefined &&
    verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), cognitoPublicKey, Buffer.from(signature, 'base64url'));
  if (!signed) throw new errors.NotAuthorizedError('Invalid Access Token');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    sub: string;
    client_id: string;
    token_use?: string;
    exp?: number;
  };
  if (claims.token_use !== 'access' || (claims.exp ?? 0) * 1000 < Date.now())
    throw new errors.NotAuthorizedError('Access Token has expired');
  return claims;
}

/** `d***@e***`, as Cognito shows where a code went. */
const maskedAddress = (address: string) => {
  const [local = '', domain = ''] = address.split('@');
  return `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
};

/** Wraps cognito-local's router with the patches above; every other target passes through. */
export function closingCognitoGaps(services: CognitoLocalServices, route: (target: string) => Handler) {
  const { cognito, tokenGenerator } = services;
  // AssociateSoftwareToken and VerifySoftwareToken name no client: the session knows it.
  const sessions = new Map<string, { username: string; challenge: string; clientId: string; expiresAt: number }>();

  const issue = (clientId: string, username: string, challenge: string): string => {
    const session = randomUUID();
    sessions.set(session, { username, challenge, clientId, expiresAt: Date.now() + AUTH_SESSION_MS });
    return session;
  };
  const pending = (session: string | undefined, challenge: string) => {
    const found = session === undefined ? undefined : sessions.get(session);
    if (!found || found.challenge !== challenge || found.expiresAt < Date.now())
      throw new errors.NotAuthorizedError('Invalid session for the user, session is expired.');
    return found;
  };
  const challenge = (clientId: string, user: LocalUser, name: 'MFA_SETUP' | 'SOFTWARE_TOKEN_MFA') => ({
    ChallengeName: name,
    ChallengeParameters: name === 'MFA_SETUP' ? { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]' } : {},
    Session: issue(clientId, user.Username, name),
  });
  const userOf = async (ctx: unknown, pool: LocalPool, username: string) => {
    const user = await pool.getUserByUsername(ctx, username);
    if (!user) throw new errors.NotAuthorizedError();
    return user;
  };

  /**
   * A TOTP set-up call: with an access token, cognito-local's own target (once the token is
   * verified); with an MFA_SETUP session, `run` for the session's user, and a new session back.
   */
  const withTokenOrSetupSession =
    (
      handle: Handler,
      run: (
        ctx: unknown,
        who: { pool: LocalPool; user: LocalUser },
        request: Request,
      ) => Promise<Record<string, unknown>>,
    ): Handler =>
    async (ctx, raw) => {
      const request = raw as Request;
      if (request.AccessToken) {
        verifiedAccessToken(request.AccessToken);
        return handle(ctx, raw);
      }
      const { username, clientId } = pending(request.Session, 'MFA_SETUP');
      const pool = await cognito.getUserPoolForClientId(ctx, clientId);
      const answer = await run(ctx, { pool, user: await userOf(ctx, pool, username) }, request);
      sessions.delete(request.Session as string);
      return { ...answer, Session: issue(clientId, username, 'MFA_SETUP') };
    };

  const patches: Record<string, (handle: Handler) => Handler> = {
    InitiateAuth: (handle) => async (ctx, raw) => {
      const request = raw as Request;
      if (request.AuthFlow !== 'USER_PASSWORD_AUTH') return handle(ctx, raw);
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, request.AuthParameters?.USERNAME ?? '');
      const passwordRight = user?.Password !== undefined && user.Password === request.AuthParameters?.PASSWORD;
      if (user?.UserStatus === 'FORCE_CHANGE_PASSWORD' && !passwordRight)
        throw new errors.NotAuthorizedError('Incorrect username or password.');
      if (user && passwordRight && user.UserStatus === 'CONFIRMED' && mfaRequired(pool) && !hasMfa(user))
        return challenge(request.ClientId, user, 'MFA_SETUP');
      const answer = (await handle(ctx, raw)) as Answer;
      if (user && answer.ChallengeName && answer.Session) {
        sessions.delete(answer.Session);
        answer.Session = issue(request.ClientId, user.Username, answer.ChallengeName);
      }
      return answer;
    },

    RespondToAuthChallenge: (handle) => async (ctx, raw) => {
      const request = raw as Request;
      const name = request.ChallengeName ?? '';
      const { username, clientId } = pending(request.Session, name);
      if (clientId !== request.ClientId) throw new errors.NotAuthorizedError('Invalid session for the user.');
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const named = await pool.getUserByUsername(ctx, request.ChallengeResponses?.USERNAME ?? '');
      if (named?.Username !== username) throw new errors.NotAuthorizedError('Invalid session for the user.');
      if (name === 'NEW_PASSWORD_REQUIRED') enforcePolicy(request.ChallengeResponses?.NEW_PASSWORD);
      let answer: Answer;
      if (name === 'MFA_SETUP') {
        if (!named.SoftwareTokenMfaConfiguration?.Verified)
          throw new errors.InvalidParameterError('Set up and verify a software token first.');
        const client = await cognito.getAppClient(ctx, request.ClientId);
        const groups = await pool.listUserGroupMembership(ctx, named);
        answer = {
          AuthenticationResult: (await tokenGenerator.generate(
            ctx,
            named,
            groups,
            client,
            request.ClientMetadata,
            'Authentication',
          )) as Answer['AuthenticationResult'],
        };
      } else {
        // A wrong code is thrown here and the session stays usable, as in Cognito.
        answer = (await handle(ctx, raw)) as Answer;
      }
      sessions.delete(request.Session as string);
      const user = await userOf(ctx, pool, username);
      if (name === 'NEW_PASSWORD_REQUIRED' && pool.options.MfaConfiguration !== 'OFF') {
        if (hasMfa(user)) return challenge(clientId, user, 'SOFTWARE_TOKEN_MFA');
        if (mfaRequired(pool)) return challenge(clientId, user, 'MFA_SETUP');
      }
      const refreshToken = answer.AuthenticationResult?.RefreshToken;
      if (refreshToken) await pool.storeRefreshToken(ctx, refreshToken, user);
      return answer;
    },

    AssociateSoftwareToken: (handle) =>
      withTokenOrSetupSession(handle, async (ctx, { pool, user }) => {
        const secret: string = totp.generateSecret();
        await pool.saveUser(ctx, { ...user, SoftwareTokenMfaConfiguration: { Secret: secret, Verified: false } });
        return { SecretCode: secret };
      }),

    VerifySoftwareToken: (handle) =>
      withTokenOrSetupSession(handle, async (ctx, { pool, user }, request) => {
        const secret = user.SoftwareTokenMfaConfiguration?.Secret;
        if (!secret) throw new errors.InvalidParameterError('User has not associated a software token');
        if (!request.UserCode || !totp.verify(secret, request.UserCode)) throw new errors.CodeMismatchError();
        const methods = new Set([...(user.UserMFASettingList ?? []), 'SOFTWARE_TOKEN_MFA']);
        await pool.saveUser(ctx, {
          ...user,
          SoftwareTokenMfaConfiguration: { Secret: secret, Verified: true },
          UserMFASettingList: [...methods],
        });
        return { Status: 'SUCCESS' };
      }),

    SetUserMFAPreference: (handle) => async (ctx, raw) => {
      verifiedAccessToken((raw as Request).AccessToken);
      return handle(ctx, raw);
    },

    // Cognito revokes every refresh token of the user; ID and access tokens already out stay valid until they expire.
    GlobalSignOut: () => async (ctx, raw) => {
      const claims = verifiedAccessToken((raw as Request).AccessToken);
      const pool = await cognito.getUserPoolForClientId(ctx, claims.client_id);
      const user = await userOf(ctx, pool, claims.sub);
      await pool.saveUser(ctx, { ...user, RefreshTokens: [] });
      return {};
    },

    ForgotPassword: (handle) => async (ctx, raw) => {
      const request = raw as Request;
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      const user = await pool.getUserByUsername(ctx, request.Username ?? '');
      // The same answer for an address without an account (the client prevents user-existence errors).
      const answer: Answer = user
        ? ((await handle(ctx, raw)) as Answer)
        : { CodeDeliveryDetails: { Destination: request.Username ?? '' } };
      return {
        CodeDeliveryDetails: {
          AttributeName: 'email',
          DeliveryMedium: 'EMAIL',
          Destination: maskedAddress(answer.CodeDeliveryDetails?.Destination ?? ''),
        },
      };
    },

    ConfirmForgotPassword: (handle) => async (ctx, raw) => {
      const request = raw as Request;
      enforcePolicy(request.Password);
      const pool = await cognito.getUserPoolForClientId(ctx, request.ClientId);
      if (!(await pool.getUserByUsername(ctx, request.Username ?? ''))) throw new errors.CodeMismatchError();
      return handle(ctx, raw);
    },

    SignUp: (handle) => async (ctx, raw) => {
      enforcePolicy((raw as Request).Password);
      return handle(ctx, raw);
    },

    ChangePassword: (handle) => async (ctx, raw) => {
      verifiedAccessToken((raw as Request).AccessToken);
      enforcePolicy((raw as Request).ProposedPassword);
      return handle(ctx, raw);
    },
  };

  return (target: string): Handler => {
    const handle = route(target);
    return patches[target]?.(handle) ?? handle;
  };
}
