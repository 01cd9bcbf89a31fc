import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmSignUpCommand,
  GetUserCommand,
  ListUsersCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCognito } from '../../local/cognito';
import { localIdentityProvider, seedOwner, signIn } from '../../local/owners';
import { newFolder } from '../support/drive';
import { api, newOwner, type Owner, system } from '../support/harness';

/**
 * A share is addressed by e-mail, so the address must prove who holds it: a share resolves
 * only to the one enabled user whose address is verified, and an address changed without
 * its code never replaces the verified one. All against cognito-local, as the API sees it.
 */

const idp = localIdentityProvider(system.cognitoEndpoint, system.region);
const attributeOf = (attributes: { Name?: string; Value?: string }[] | undefined, name: string) =>
  attributes?.find((found) => found.Name === name)?.Value;

const share = (owner: Owner, email: string, folderId: string) =>
  api('POST', '/api/shares', { token: owner.idToken, body: { email, role: 'view', folderId } });
const sharedWith = async (caller: Owner) =>
  (await api('GET', '/api/shared-with-me', { token: caller.idToken })).body.items as { shareId: string }[];

describe('who a share by e-mail reaches', () => {
  let owner: Owner;
  let folderId: string;

  beforeAll(async () => {
    owner = await newOwner();
    folderId = await newFolder(owner, 'Accounts');
  });
  afterAll(() => idp.destroy());

  it('reaches the verified holder, never a user who set the same address with UpdateUserAttributes', async () => {
    // prepare: the claimant, first in the pool, asks for the victim's address and never enters its code
    const claimant = await newOwner();
    const victim = await newOwner();
    await idp.send(
      new UpdateUserAttributesCommand({
        AccessToken: claimant.accessToken,
        UserAttributes: [{ Name: 'email', Value: victim.email }],
      }),
    );

    // act
    const created = await share(owner, victim.email, folderId);

    // assess
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await sharedWith(victim)).map((item) => item.shareId)).toEqual([created.body.shareId]);
    expect(await sharedWith(claimant)).toEqual([]);
    const folder = await api('GET', `/api/files?folder=${folderId}`, { token: claimant.idToken });
    expect([folder.status, folder.body.error?.code]).toEqual([404, 'folder_not_found']);
  });

  it('refuses a share to an address only a claimant asked for, and the claimant sees nothing', async () => {
    // prepare
    const claimant = await newOwner();
    const unheld = `nobody-holds-${Date.now()}@example.test`;
    await idp.send(
      new UpdateUserAttributesCommand({
        AccessToken: claimant.accessToken,
        UserAttributes: [{ Name: 'email', Value: unheld }],
      }),
    );

    // act
    const refused = await share(owner, unheld, folderId);

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([404, 'user_not_found']);
    expect(await sharedWith(claimant)).toEqual([]);
  });

  it('keeps the verified address of a user who asks for another one until its code is entered', async () => {
    // prepare
    const [victim, claimant] = await Promise.all([newOwner(), newOwner()]);

    // act
    await idp.send(
      new UpdateUserAttributesCommand({
        AccessToken: claimant.accessToken,
        UserAttributes: [{ Name: 'email', Value: victim.email }],
      }),
    );
    const { UserAttributes } = await idp.send(new GetUserCommand({ AccessToken: claimant.accessToken }));
    const { Users = [] } = await idp.send(
      new ListUsersCommand({ UserPoolId: system.userPoolId, Filter: `email = "${victim.email}"` }),
    );

    // assess
    expect(attributeOf(UserAttributes, 'email')).toBe(claimant.email);
    expect(attributeOf(UserAttributes, 'email_verified')).toBe('true');
    expect(Users.map((user) => attributeOf(user.Attributes, 'sub'))).toEqual([victim.sub]);
  });

  it('refuses a share to an address that was never verified, as if no one held it', async () => {
    // prepare: an account made with an address its holder never confirmed
    const email = `unverified-${Date.now()}@example.test`;
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: system.userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'false' },
        ],
      }),
    );
    const password = 'Unverified-2026-pw!';
    await idp.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: system.userPoolId,
        Username: email,
        Password: password,
        Permanent: true,
      }),
    );
    const unverified = await signIn(system, { email, password });

    // act
    const refused = await share(owner, email, folderId);

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([404, 'user_not_found']);
    expect(await sharedWith({ email, ...unverified, sub: '' })).toEqual([]);
  });

  it('refuses, with 409 email_ambiguous, an address two users hold verified, and shares with neither', async () => {
    // prepare: an administrator set (and verified) one user's address on a second one
    const [first, second] = await Promise.all([newOwner(), newOwner()]);
    await idp.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: system.userPoolId,
        Username: second.sub,
        UserAttributes: [
          { Name: 'email', Value: first.email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );

    // act
    const refused = await share(owner, first.email, folderId);

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([409, 'email_ambiguous']);
    expect(await sharedWith(first)).toEqual([]);
    expect(await sharedWith(second)).toEqual([]);
  });
});

describe('the local user pool, where cognito-local differs from Cognito', () => {
  const directory = mkdtempSync(join(tmpdir(), 'security-cognito-'));
  const messages: { to: string; code?: string }[] = [];
  let cognito: Awaited<ReturnType<typeof startCognito>>;

  beforeAll(async () => {
    cognito = await startCognito({
      directory,
      port: 0,
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      region: system.region,
      onMessage: (m) => messages.push(m),
    });
  });
  afterAll(async () => {
    await cognito.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('marks the address verified when a sign-up is confirmed with the code sent to it, as Cognito does', async () => {
    // prepare
    const local = localIdentityProvider(cognito.endpoint, system.region);
    const email = `signs-up-${Date.now()}@example.test`;
    await local.send(
      new SignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, Password: 'Signs-up-2026-pw!' }),
    );
    const code = messages.find((message) => message.to === email)?.code as string;
    expect(code).toMatch(/^\d+$/);

    // act
    await local.send(
      new ConfirmSignUpCommand({ ClientId: cognito.userPoolClientId, Username: email, ConfirmationCode: code }),
    );
    const { Users = [] } = await local.send(
      new ListUsersCommand({ UserPoolId: cognito.userPoolId, Filter: `email = "${email}"` }),
    );
    local.destroy();

    // assess
    expect(Users.map((user) => attributeOf(user.Attributes, 'email_verified'))).toEqual(['true']);
  });

  it('gives a pool stored before the keep-original setting existed that setting when it starts again', async () => {
    // prepare: the stored pool as an older data folder holds it, without the setting
    await cognito.stop();
    const stored = join(directory, 'db', `${cognito.userPoolId}.json`);
    const data = JSON.parse(readFileSync(stored, 'utf8'));
    expect(data.Options.UserAttributeUpdateSettings).toBeDefined();
    delete data.Options.UserAttributeUpdateSettings;
    writeFileSync(stored, JSON.stringify(data));
    cognito = await startCognito({
      directory,
      port: 0,
      host: '127.0.0.1',
      advertisedHost: '127.0.0.1',
      region: system.region,
      onMessage: (m) => messages.push(m),
    });
    const owner = { email: `keeps-${Date.now()}@example.test`, password: 'Keeps-2026-pw!' };
    const pool = { cognitoEndpoint: cognito.endpoint, region: system.region, userPoolId: cognito.userPoolId };
    await seedOwner(pool, owner);
    const { accessToken } = await signIn({ ...pool, userPoolClientId: cognito.userPoolClientId }, owner);
    const local = localIdentityProvider(cognito.endpoint, system.region);

    // act
    await local.send(
      new UpdateUserAttributesCommand({
        AccessToken: accessToken,
        UserAttributes: [{ Name: 'email', Value: 'x@example.test' }],
      }),
    );
    const { UserAttributes } = await local.send(new GetUserCommand({ AccessToken: accessToken }));
    local.destroy();

    // assess
    expect(attributeOf(UserAttributes, 'email')).toBe(owner.email);
  });
});
