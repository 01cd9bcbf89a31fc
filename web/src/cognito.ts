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
  InvalidPasswordException:
    'Choose a longer password: at least 12 characters, with upper and lower case letters, a number and a symbol.',
  InvalidParameterException: 'Check the e-mail address and password: one of them is not in the right form.',
};

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch milliseconds when the ID and access tokens expire. */
  readonly expiresAt: number;
}

/** One call to Cognito's JSON API, straight from the browser (the public web client has no secret). */
async function cognito<T>(config: AppConfig, action: string, body: Record<string, unknown>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: config.userPoolClientId, ...body }),
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
    throw new SignInError(code, PLAIN_WORDS[code] ?? 'Signing in did not work. Try again in a moment.');
  }
  return payload as T;
}

interface AuthenticationResult {
  AuthenticationResult?: { IdToken: string; AccessToken: string; RefreshToken?: string; ExpiresIn?: number };
  ChallengeName?: string;
}

function tokensFrom(result: AuthenticationResult, refreshToken?: string): Tokens {
  const auth = result.AuthenticationResult;
  const refresh = auth?.RefreshToken ?? refreshToken;
  if (!auth || !refresh) {
    throw new SignInError(
      result.ChallengeName ?? 'NoTokens',
      'This account needs a step the web app does not offer yet (for example a new password). Contact your administrator.',
    );
  }
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

export async function signIn(config: AppConfig, email: string, password: string): Promise<Tokens> {
  try {
    const result = await cognito<AuthenticationResult>(config, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return tokensFrom(result);
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
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: refreshToken },
  });
  return tokensFrom(result, refreshToken);
}

/** Creates the account; Cognito then sends a confirmation code to the e-mail (printed by `npm start` locally). */
export async function signUp(config: AppConfig, email: string, password: string): Promise<{ confirmed: boolean }> {
  const result = await cognito<{ UserConfirmed?: boolean }>(config, 'SignUp', {
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }],
  });
  return { confirmed: result.UserConfirmed === true };
}

export async function confirmSignUp(config: AppConfig, email: string, code: string): Promise<void> {
  await cognito(config, 'ConfirmSignUp', { Username: email, ConfirmationCode: code });
}

export async function resendCode(config: AppConfig, email: string): Promise<void> {
  await cognito(config, 'ResendConfirmationCode', { Username: email });
}
