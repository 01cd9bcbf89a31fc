import { userPoolDefinition } from '#contracts/auth';
import type { AppConfig } from './config';

/** A refusal from Cognito, in words an owner can act on. */
export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The pool's password policy (contracts/auth.ts) in one sentence, for every field that sets a password. */
export const PASSWORD_RULE = (() => {
  const policy = userPoolDefinition.passwordPolicy;
  const kinds = [
    policy.requireUppercase && policy.requireLowercase ? 'upper and lower case letters' : '',
    policy.requireNumbers ? 'a number' : '',
    policy.requireSymbols ? 'a symbol' : '',
  ].filter(Boolean);
  const last = kinds.pop();
  const list = kinds.length ? `${kinds.join(', ')} and ${last}` : (last ?? '');
  return `At least ${policy.minimumLength} characters${list ? `, with ${list}` : ''}.`;
})();

const WRONG_TOTP_CODE = 'That code is not right. Type the 6-digit code your authenticator app shows now.';

const PLAIN_WORDS: Record<string, string> = {
  NotAuthorizedException: 'That e-mail and password do not match. Check both and try again.',
  UserNotFoundException: 'That e-mail and password do not match. Check both and try again.',
  UsernameExistsException: 'There is already an account with this e-mail. Sign in instead.',
  CodeMismatchException: 'That code is not right. Check the e-mail and type it again.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  LimitExceededException: 'Too many attempts. Wait a few minutes and try again.',
  TooManyRequestsException: 'Too many attempts. Wait a few minutes and try again.',
  TooManyFailedAttemptsException: 'Too many attempts. Wait a few minutes and try again.',
  UserNotConfirmedException: 'This account is not confirmed yet. Enter the code we e-mailed you.',
  InvalidPasswordException: `Choose a stronger password. ${PASSWORD_RULE}`,
  PasswordResetRequiredException: 'Your password must be reset: choose "Forgot your password?" below.',
  EnableSoftwareTokenMFAException: WRONG_TOTP_CODE,
  InvalidParameterException: 'Check the e-mail address and password: one of them is not in the right form.',
};

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds when the ID and access tokens expire. */
  readonly expiresAt: number;
}

/**
 * One call to Cognito's JSON API, straight from the browser (the public web client has no secret).
 * `words` puts a call's own sentence on a refusal (a TOTP code is not an e-mailed one).
 */
async function cognito<T>(
  config: AppConfig,
  action: string,
  body: Record<string, unknown>,
  words: Record<string, string> = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new SignInError('network', 'The sign-in service could not be reached. Check your connection and try again.');
  }
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    // `__type` is the exception name, sometimes prefixed with a namespace.
    const code = String(payload.__type ?? payload.code ?? 'UnknownError')
      .split(/[#:]/)
      .pop() as string;
    throw new SignInError(code, words[code] ?? PLAIN_WORDS[code] ?? 'Signing in did not work. Try again in a moment.');
  }
  return payload as T;
}

/** Calls that name the web client (those with an access token or a session name the user). */
const client = (config: AppConfig) => ({ ClientId: config.userPoolClientId });

interface AuthenticationResult {
  AuthenticationResult?: { IdToken: string; AccessToken: string; RefreshToken?: string; ExpiresIn?: number };
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

/** The steps a sign-in can ask for that the web app offers. */
export const OFFERED_CHALLENGES = ['NEW_PASSWORD_REQUIRED', 'SOFTWARE_TOKEN_MFA', 'MFA_SETUP'] as const;
export type ChallengeName = (typeof OFFERED_CHALLENGES)[number];

/** A step Cognito asks for before it hands out tokens; `session` ties the answer to this sign-in. */
export interface Challenge {
  readonly name: ChallengeName;
  readonly session: string;
  /** What the answer names the user by (Cognito's USER_ID_FOR_SRP, else the e-mail typed). */
  readonly username: string;
  readonly email: string;
}

/** Either the sign-in is done, or Cognito asks for one more step. */
export type SignInStep = { readonly tokens: Tokens } | { readonly challenge: Challenge };

function stepFrom(result: AuthenticationResult, email: string): SignInStep {
  if (result.AuthenticationResult) return { tokens: tokensFrom(result) };
  const name = result.ChallengeName ?? 'NoTokens';
  if (!(OFFERED_CHALLENGES as readonly string[]).includes(name) || !result.Session) {
    throw new SignInError(
      name,
      `This account needs a step the web app does not offer (${name}). Contact your administrator.`,
    );
  }
  return {
    challenge: {
      name: name as ChallengeName,
      session: result.Session,
      username: result.ChallengeParameters?.USER_ID_FOR_SRP ?? email,
      email,
    },
  };
}

function tokensFrom(result: AuthenticationResult, refreshToken?: string): Tokens {
  const auth = result.AuthenticationResult;
  const refresh = auth?.RefreshToken ?? refreshToken;
  if (!auth || !refresh) throw new SignInError('NoTokens', 'Signing in did not work. Try again in a moment.');
  return {
    idToken: auth.IdToken,
    accessToken: auth.AccessToken,
    refreshToken: refresh,
    expiresAt: expiryOf(auth.IdToken) ?? Date.now() + (auth.ExpiresIn || 3600) * 1000,
  };
}

/** The ID token's own `exp` (cognito-local's refresh answer has no ExpiresIn; the token always says). */
function expiryOf(jwt: string): number | undefined {
  try {
    const part = (jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
    const { exp } = JSON.parse(atob(part)) as { exp?: unknown };
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export async function signIn(config: AppConfig, email: string, password: string): Promise<SignInStep> {
  try {
    const result = await cognito<AuthenticationResult>(config, 'InitiateAuth', {
      ...client(config),
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return stepFrom(result, email);
  } catch (error) {
    // cognito-local answers a wrong password with InvalidPasswordException; Cognito with NotAuthorizedException.
    if (error instanceof SignInError && error.code === 'InvalidPasswordException') {
      throw new SignInError('NotAuthorizedException', PLAIN_WORDS.NotAuthorizedException as string);
    }
    throw error;
  }
}

export async function refresh(config: AppConfig, refreshToken: string): Promise<Tokens> {
  const result = await cognito<AuthenticationResult>(config, 'InitiateAuth', {
    ...client(config),
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  return tokensFrom(result, refreshToken);
}

/** Creates the account; Cognito then sends a confirmation code to the e-mail (printed by `npm start` locally). */
export async function signUp(config: AppConfig, email: string, password: string): Promise<{ confirmed: boolean }> {
  const result = await cognito<{ UserConfirmed?: boolean }>(config, 'SignUp', {
    ...client(config),
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  return { confirmed: result.UserConfirmed === true };
}

export async function confirmSignUp(config: AppConfig, email: string, code: string): Promise<void> {
  await cognito(config, 'ConfirmSignUp', { ...client(config), Username: email, ConfirmationCode: code });
}

export async function resendCode(config: AppConfig, email: string): Promise<void> {
  await cognito(config, 'ResendConfirmationCode', { ...client(config), Username: email });
}

const EXPIRED_STEP = { NotAuthorizedException: 'This sign-in took too long or was already used. Sign in again.' };

/** Answers a challenge; Cognito then hands out tokens or asks for the next step (e.g. TOTP after a new password). */
async function respond(
  config: AppConfig,
  challenge: Challenge,
  responses: Record<string, string>,
  words: Record<string, string> = {},
): Promise<SignInStep> {
  const result = await cognito<AuthenticationResult>(
    config,
    'RespondToAuthChallenge',
    {
      ...client(config),
      ChallengeName: challenge.name,
      Session: challenge.session,
      ChallengeResponses: { USERNAME: challenge.username, ...responses },
    },
    { ...EXPIRED_STEP, ...words },
  );
  return stepFrom(result, challenge.email);
}

/** NEW_PASSWORD_REQUIRED: an owner an operator created replaces the temporary password. */
export function setNewPassword(config: AppConfig, challenge: Challenge, password: string): Promise<SignInStep> {
  return respond(config, challenge, { NEW_PASSWORD: password });
}

/** SOFTWARE_TOKEN_MFA: the authenticator app's current code. */
export function answerTotp(config: AppConfig, challenge: Challenge, code: string): Promise<SignInStep> {
  return respond(config, challenge, { SOFTWARE_TOKEN_MFA_CODE: code }, { CodeMismatchException: WRONG_TOTP_CODE });
}

/** MFA_SETUP, once the app's code was verified with the session VerifySoftwareToken returned. */
export function finishTotpSetup(config: AppConfig, challenge: Challenge): Promise<SignInStep> {
  return respond(config, challenge, {});
}

/** Who asks for a TOTP secret: a signed-in owner (access token) or a sign-in in MFA_SETUP (its session). */
export type TotpEnrolment = { readonly accessToken: string } | { readonly session: string };
const enrolmentBody = (enrolment: TotpEnrolment) =>
  'accessToken' in enrolment ? { AccessToken: enrolment.accessToken } : { Session: enrolment.session };

/** A new TOTP secret for the owner's authenticator app (and the session that goes on, in MFA_SETUP). */
export async function associateTotp(
  config: AppConfig,
  enrolment: TotpEnrolment,
): Promise<{ secret: string; session?: string }> {
  const result = await cognito<{ SecretCode: string; Session?: string }>(
    config,
    'AssociateSoftwareToken',
    enrolmentBody(enrolment),
    EXPIRED_STEP,
  );
  return { secret: result.SecretCode, ...(result.Session ? { session: result.Session } : {}) };
}

/** Proves the app holds the secret: its current code. */
export async function verifyTotp(
  config: AppConfig,
  enrolment: TotpEnrolment,
  code: string,
): Promise<{ session?: string }> {
  const result = await cognito<{ Status?: string; Session?: string }>(
    config,
    'VerifySoftwareToken',
    { ...enrolmentBody(enrolment), UserCode: code, FriendlyDeviceName: 'docdrop' },
    { ...EXPIRED_STEP, CodeMismatchException: WRONG_TOTP_CODE },
  );
  if (result.Status !== 'SUCCESS') throw new SignInError('EnableSoftwareTokenMFAException', WRONG_TOTP_CODE);
  return result.Session ? { session: result.Session } : {};
}

/** TOTP asked at every sign-in (enabled and preferred), or not at all. */
export async function setTotpPreference(config: AppConfig, accessToken: string, enabled: boolean): Promise<void> {
  await cognito(config, 'SetUserMFAPreference', {
    AccessToken: accessToken,
    SoftwareTokenMfaSettings: enabled ? { Enabled: true, PreferredMfa: true } : { Enabled: false, PreferredMfa: false },
  });
}

/** Whether the owner's sign-in asks for a TOTP code. */
export async function totpEnabled(config: AppConfig, accessToken: string): Promise<boolean> {
  const user = await cognito<{ UserMFASettingList?: string[] }>(config, 'GetUser', { AccessToken: accessToken });
  return (user.UserMFASettingList ?? []).includes('SOFTWARE_TOKEN_MFA');
}

/** Sends a reset code to the address; Cognito answers the same whether or not it has an account. */
export async function forgotPassword(config: AppConfig, email: string): Promise<void> {
  await cognito(config, 'ForgotPassword', { ...client(config), Username: email });
}

export async function confirmForgotPassword(
  config: AppConfig,
  email: string,
  code: string,
  password: string,
): Promise<void> {
  await cognito(config, 'ConfirmForgotPassword', {
    ...client(config),
    Username: email,
    ConfirmationCode: code,
    Password: password,
  });
}

/** Revokes every refresh token of the owner: each device's session ends at its next refresh. */
export async function globalSignOut(config: AppConfig, accessToken: string): Promise<void> {
  await cognito(config, 'GlobalSignOut', { AccessToken: accessToken });
}
