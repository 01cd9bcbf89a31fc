import { randomUUID } from 'node:crypto';
import {
  AssociateSoftwareTokenCommand,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TestProject } from 'vitest/node';
import { type LocalPool, localIdentityProvider, seedOwner, signIn } from '../../local/owners';
import { startDocdrop } from '../e2e/global-setup';
import { totpCode } from '../live/client';

declare module 'vitest' {
  export interface ProvidedContext {
    /** What the live suite's workers add to their environment (nothing when DOCDROP_URL was given). */
    liveEnvironment: Record<string, string>;
  }
}

const NEEDED = ['DOCDROP_URL', 'DOCDROP_OWNER_EMAIL', 'DOCDROP_OWNER_PASSWORD', 'DOCDROP_OTHER_OWNER_EMAIL'];

/**
 * With `DOCDROP_URL` set, the suite runs against that stack with the owners the environment
 * names, and this does nothing. Without it inside `npm test`, it runs `npm start` as a child on
 * free ports (the suite then sees only its URL, as it would a deployment), makes the two test
 * owners through the local pool's admin API (setup only: the suite itself signs in like anyone)
 * and hands both to the suite's workers by environment (test/support/live-environment.ts; not
 * this process's, which the other projects share). `npm run test:live` without it is an operator's
 * mistake: it says what to set and fails.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  project.provide('liveEnvironment', {});
  if (process.env.DOCDROP_URL) return undefined;
  if (process.env.npm_lifecycle_event === 'test:live') {
    throw new Error(
      `npm run test:live runs against a deployed stack: set ${NEEDED.join(', ')} and DOCDROP_OTHER_OWNER_PASSWORD ` +
        '(and DOCDROP_OWNER_TOTP_SECRET if the pool requires MFA). README.md, "After cdk deploy: the smoke suite", says how to make the owners.',
    );
  }
  const docdrop = await startDocdrop([]);
  const url = `http://localhost:${docdrop.ports.PORT}`;
  try {
    const config = (await (await fetch(`${url}/config.json`)).json()) as LocalPool;
    const owner = { email: `smoke-${randomUUID()}@example.test`, password: `Pw-${randomUUID()}-A1!` };
    const other = { email: `smoke-other-${randomUUID()}@example.test`, password: `Pw-${randomUUID()}-A1!` };
    for (const credentials of [owner, other]) await seedOwner(config, credentials);
    const otherTotpSecret = await enrolInTotp(config, other);
    project.provide('liveEnvironment', {
      DOCDROP_URL: url,
      DOCDROP_OWNER_EMAIL: owner.email,
      DOCDROP_OWNER_PASSWORD: owner.password,
      DOCDROP_OTHER_OWNER_EMAIL: other.email,
      DOCDROP_OTHER_OWNER_PASSWORD: other.password,
      DOCDROP_OTHER_OWNER_TOTP_SECRET: otherTotpSecret,
    });
  } catch (error) {
    await docdrop.stop();
    throw error;
  }
  return async () => {
    await docdrop.stop();
  };
}

/**
 * Sets up TOTP for an owner as the portal does (with its access token), so the suite's answer to
 * a SOFTWARE_TOKEN_MFA challenge runs in `npm test`: once the local pool offers MFA (OPTIONAL, as
 * the deployed one), a user with TOTP on is asked for a code at every sign-in.
 */
async function enrolInTotp(pool: LocalPool, owner: { email: string; password: string }): Promise<string> {
  const { accessToken } = await signIn(pool, owner);
  const idp = localIdentityProvider(pool.cognitoEndpoint, pool.region);
  try {
    const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
    if (!SecretCode) throw new Error('AssociateSoftwareToken returned no secret');
    await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode) }));
    await idp.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: accessToken,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    return SecretCode;
  } finally {
    idp.destroy();
  }
}
