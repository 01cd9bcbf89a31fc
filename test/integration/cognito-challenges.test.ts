import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SignUpCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCognito, startCognito } from '../../local/cognito';
import { createOwnerAsOperator, localIdentityProvider, seedOwner } from '../../local/owners';
import { system } from '../support/harness';
import { totpCode } from '../support/totp';

/**
 * The Cognito calls the web app's sign-in paths make, through the real SDK against the local
 * pool, answered as Cognito answers them (local/cognito-gaps.ts closes where cognito-local
 * did not): each refusal here is one cognito-local alone would not make.
 */

const idp = localIdentityProvider(system.cognitoEndpoint, system.region);
const ClientId = system.userPoolClientId;
const strongPassword = () => `Pw-${randomUUID()}-a1A!`;
const newEmail = () => `owner-${randomUUID().slice(0, 8)}@example.test`;

const passwordAuth = (client: CognitoIdentityProviderClient, clientId: string, email: string, password: string) =>
  client.send(
    new InitiateAuthCommand({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
const refresh = (refreshToken: string) =>
  idp.send(
    new InitiateAuthCommand({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId,
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: Error) => error.name,
  );

/** An owner with a permanent password, signed in: their tokens. */
async function signedInOwner() {
  const owner = { email: newEmail(), password: strongPassword() };
  await seedOwner(system, owner);
  const { AuthenticationResult } = await passwordAuth(idp, ClientId, owner.email, owner.password);
  return { ...owner, tokens: AuthenticationResult ?? {} };
}

afterAll(() => idp.destroy());

describe('an owner an operator created (AdminCreateUser, temporary password)', () => {
  it('is asked for a new password only with the right temporary one, which the policy and the session then guard', async () => {
    // prepare
    const email = newEmail();
    const { temporaryPassword } = await createOwnerAsOperator(system, email);

    // act
    const wrongTemporary = await refusal(passwordAuth(idp, ClientId, email, strongPassword()));
    const asked = await passwordAuth(idp, ClientId, email, temporaryPassword);
    const answer = (Session: string | undefined, NEW_PASSWORD: string) =>
      idp.send(
        new RespondToAuthChallengeCommand({
          ClientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session,
          ChallengeResponses: { USERNAME: email, NEW_PASSWORD },
        }),
      );
    const weak = await refusal(answer(asked.Session, 'short'));
    const forgedSession = await refusal(answer(randomUUID(), strongPassword()));
    const chosen = strongPassword();
    const done = await answer(asked.Session, chosen);
    const replayed = await refusal(answer(asked.Session, strongPassword()));
    const refreshed = await refresh(done.AuthenticationResult?.RefreshToken ?? '');
    const oldPassword = await refusal(passwordAuth(idp, ClientId, email, temporaryPassword));
    const newPassword = await passwordAuth(idp, ClientId, email, chosen);

    // assess
    expect(wrongTemporary).toBe('NotAuthorizedException');
    expect(asked.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(weak).toBe('InvalidPasswordException');
    expect(forgedSession).toBe('NotAuthorizedException');
    expect(done.AuthenticationResult?.IdToken).toBeTruthy();
    expect(replayed, 'a session answers once').toBe('NotAuthorizedException');
    expect(refreshed.AuthenticationResult?.IdToken, 'tokens from a challenge can be refreshed').toBeTruthy();
    expect(oldPassword).not.toBe('accepted');
    expect(newPassword.AuthenticationResult?.IdToken).toBeTruthy();
  });
});

describe('TOTP', () => {
  it('set up with the access token, then asked at sign-in: a wrong code refused, the right one signs in', async () => {
    // prepare
    const owner = await signedInOwner();
    const AccessToken = owner.tokens.AccessToken as string;
    const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken }));
    await idp.send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: totpCode(SecretCode as string) }));
    await idp.send(
      new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }),
    );

    // act
    const asked = await passwordAuth(idp, ClientId, owner.email, owner.password);
    const answer = (code: string) =>
      idp.send(
        new RespondToAuthChallengeCommand({
          ClientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: asked.Session,
          ChallengeResponses: { USERNAME: owner.email, SOFTWARE_TOKEN_MFA_CODE: code },
        }),
      );
    const right = totpCode(SecretCode as string);
    const wrong = await refusal(answer(right === '000000' ? '111111' : '000000'));
    const signedIn = await answer(right);
    const refreshed = await refresh(signedIn.AuthenticationResult?.RefreshToken ?? '');

    // assess
    expect(asked.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    expect(wrong).toBe('CodeMismatchException');
    expect(signedIn.AuthenticationResult?.IdToken).toBeTruthy();
    expect(refreshed.AuthenticationResult?.IdToken).toBeTruthy();
  });

  it('refuses an access token not signed by the pool', async () => {
    // prepare
    const owner = await signedInOwner();
    const [header, payload] = (owner.tokens.AccessToken as string).split('.');

    // act
    const forged = await refusal(
      idp.send(new AssociateSoftwareTokenCommand({ AccessToken: `${header}.${payload}.${'A'.repeat(342)}` })),
    );

    // assess
    expect(forged).toBe('NotAuthorizedException');
  });
});

describe('GlobalSignOut (cognito-local has none: local/cognito-gaps.ts adds it)', () => {
  it("revokes every refresh token of the owner, another device's too, and nobody else's", async () => {
    // prepare
    const owner = await signedInOwner();
    const otherDevice = await passwordAuth(idp, ClientId, owner.email, owner.password);
    const bystander = await signedInOwner();

    // act
    await idp.send(new GlobalSignOutCommand({ AccessToken: owner.tokens.AccessToken }));

    // assess
    expect(await refusal(refresh(owner.tokens.RefreshToken as string))).toBe('NotAuthorizedException');
    expect(await refusal(refresh(otherDevice.AuthenticationResult?.RefreshToken as string))).toBe(
      'NotAuthorizedException',
    );
    expect(await refusal(refresh(bystander.tokens.RefreshToken as string))).toBe('accepted');
  });
});

describe('forgot password', () => {
  it('answers an address without an account exactly as one with, masked, and ends both the same at confirmation', async () => {
    // prepare
    const owner = await signedInOwner();
    const stranger = newEmail();

    // act
    const known = await idp.send(new ForgotPasswordCommand({ ClientId, Username: owner.email }));
    const unknown = await idp.send(new ForgotPasswordCommand({ ClientId, Username: stranger }));
    const confirmUnknown = await refusal(
      idp.send(
        new ConfirmForgotPasswordCommand({
          ClientId,
          Username: stranger,
          ConfirmationCode: '123456',
          Password: strongPassword(),
        }),
      ),
    );

    // assess
    expect(Object.keys(known.CodeDeliveryDetails ?? {}).sort()).toEqual(
      Object.keys(unknown.CodeDeliveryDetails ?? {}).sort(),
    );
    expect(known.CodeDeliveryDetails?.Destination).toMatch(/^o\*\*\*@e\*\*\*$/);
    expect(unknown.CodeDeliveryDetails?.Destination).toMatch(/^o\*\*\*@e\*\*\*$/);
    expect(confirmUnknown).toBe('CodeMismatchException');
  });

  it('holds a new password to the policy, as sign-up does', async () => {
    // act
    const weakSignUp = await refusal(
      idp.send(
        new SignUpCommand({
          ClientId,
          Username: newEmail(),
          Password: 'alllowercase-but-long',
          UserAttributes: [],
        }),
      ),
    );

    // assess
    expect(weakSignUp).toBe('InvalidPasswordException');
  });
});

describe('a pool that requires MFA (docdrop:requireMfa; its own cognito-local)', () => {
  let cognito: LocalCognito;
  let directory: string;
  let client: CognitoIdentityProviderClient;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'docdrop-require-mfa-'));
    cognito = await startCognito({
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      directory,
      port: 0,
      region: system.region,
      onMessage: () => undefined,
      requireMfa: true,
    });
    client = localIdentityProvider(cognito.endpoint, system.region);
  });

  afterAll(async () => {
    client?.destroy();
    await cognito?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('makes a user without TOTP set it up inside the sign-in (MFA_SETUP with the session), then asks for the code', async () => {
    // prepare
    const owner = { email: newEmail(), password: strongPassword() };
    await seedOwner(
      { cognitoEndpoint: cognito.endpoint, region: system.region, userPoolId: cognito.userPoolId },
      owner,
    );

    // act
    const asked = await passwordAuth(client, cognito.userPoolClientId, owner.email, owner.password);
    const association = await client.send(new AssociateSoftwareTokenCommand({ Session: asked.Session }));
    const secret = association.SecretCode as string;
    const verified = await client.send(
      new VerifySoftwareTokenCommand({ Session: association.Session, UserCode: totpCode(secret) }),
    );
    const done = await client.send(
      new RespondToAuthChallengeCommand({
        ClientId: cognito.userPoolClientId,
        ChallengeName: 'MFA_SETUP',
        Session: verified.Session,
        ChallengeResponses: { USERNAME: owner.email },
      }),
    );
    const next = await passwordAuth(client, cognito.userPoolClientId, owner.email, owner.password);

    // assess
    expect(asked.ChallengeName).toBe('MFA_SETUP');
    expect(verified.Status).toBe('SUCCESS');
    expect(done.AuthenticationResult?.IdToken).toBeTruthy();
    expect(next.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  });
});
