import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { userPoolDefinition } from '#contracts/auth';
import { type LocalPool, seedOwner } from '../../local/owners';
import { totpCode } from '../support/totp';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';
import { type RunningDocdrop, startDocdrop } from './global-setup';

/**
 * Every Cognito sign-in path the portal offers, in Chromium against `npm start`'s system: a
 * first sign-in with an operator's temporary password, TOTP set up in Settings and asked at
 * sign-in (codes computed here from the secret the page shows), forgot password, TOTP off,
 * sign-out everywhere, and a system of its own with REQUIRE_MFA.
 */

const { webUrl, startLog, chromiumPath } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
const WAIT = { timeout: 20_000 };
const run = promisify(execFile);

/** The refusals these tests provoke on purpose, which Chromium logs as failed loads. */
const expectedFailures = [NO_PROFILE_PHOTO_YET, /status of 400 .*:\d+\/\)$/];
const problems: string[] = [];
let browser: Browser;
let pool: LocalPool;

const newPassword = () => `Web-${randomUUID()}-Aa1!`;
const newEmail = (what: string) => `${what}-${randomUUID().slice(0, 8)}@example.test`;

async function newPage(viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.on('console', (message) => {
    const line = `${message.text()} (${message.location().url})`;
    if (message.type() === 'error' && !expectedFailures.some((pattern) => pattern.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return { context, page };
}

async function submitSignIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const inPortal = (page: Page) => page.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in to docdrop' }).waitFor(WAIT);
}

/** Both widths the portal is designed for; the page is left at 1280. */
async function screenshots(page: Page, name: string): Promise<void> {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `${SCREENSHOTS}/sign-in-${name}-${width}.png`, fullPage: true });
  }
}

/** The authenticator app's part: the key the page shows as text, spaces removed. */
async function secretOnPage(page: Page): Promise<string> {
  const shown = await page.locator('.totp-secret').textContent();
  return (shown ?? '').replace(/\s/g, '');
}

/** A code that is not the current one for `secret`. */
const wrongCodeFor = (secret: string) => (totpCode(secret) === '000000' ? '111111' : '000000');

/** The code `npm start` printed for this address, the latest one. */
async function printedCode(log: string, address: string): Promise<string> {
  const pattern = new RegExp(
    `>>> e-mail to ${address.replace(/[.+]/g, '\\$&')} \\(not sent, local\\): confirmation code (\\w+)`,
    'g',
  );
  for (let tries = 0; tries < 100; tries++) {
    const codes = [...readFileSync(log, 'utf8').matchAll(pattern)].map((match) => match[1]);
    if (codes.length > 0) return codes.at(-1) as string;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start printed no code for ${address}`);
}

/** Sets TOTP up in Settings as an owner would, the code computed from the key on the page; the key. */
async function setUpTotpInSettings(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByText('Off: signing in takes your password only.').waitFor(WAIT);
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor(WAIT);
  const secret = await secretOnPage(page);
  await page.getByLabel('The 6-digit code the app shows').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Verify and turn on' }).click();
  await page.getByText('On: every sign-in asks for the code from your authenticator app.').waitFor(WAIT);
  return secret;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  pool = (await (await fetch(`${webUrl}/config.json`)).json()) as LocalPool;
  browser = await launchChromium(chromiumPath);
});

afterAll(async () => {
  await browser?.close();
  expect(problems).toEqual([]);
});

describe('sign-in paths in the portal', () => {
  it('an owner an operator created (npm run owner:create) signs in with the temporary password and must choose a new one', async () => {
    // prepare: the operator's command, and the "e-mail" it prints
    const email = newEmail('invited');
    const { stdout } = await run('npm', ['run', '--silent', 'owner:create', '--', email], {
      env: { ...process.env, DOCDROP_URL: webUrl },
    });
    const temporary = /temporary password (\S+)/.exec(stdout)?.[1] as string;
    const { context, page } = await newPage();
    const chosen = newPassword();

    // act
    await submitSignIn(page, webUrl, email, temporary);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor(WAIT);
    await screenshots(page, 'new-password');
    // Long enough for the browser's own check, but no capital letter or number: the pool's policy refuses it.
    await page.getByLabel('New password', { exact: true }).fill('only-lower-case-letters');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    const weakRefusal = page.getByRole('alert');
    await weakRefusal.waitFor(WAIT);
    const weakWords = await weakRefusal.textContent();
    await page.getByLabel('New password', { exact: true }).fill(chosen);
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await inPortal(page);
    await signOut(page);
    await submitSignIn(page, webUrl, email, temporary);
    const oldRefused = await page.getByRole('alert').textContent();

    // assess
    expect(stdout).toContain(`>>> e-mail to ${email} (not sent, local): temporary password`);
    expect(weakWords).toBe(
      'Choose a stronger password. At least 12 characters, with upper and lower case letters, a number and a symbol.',
    );
    expect(oldRefused).toBe('That e-mail and password do not match. Check both and try again.');
    await context.close();
  });

  it('TOTP set up in Settings is asked at the next sign-in: a wrong code is refused in words, the right one signs in; turned off, no code is asked', async () => {
    // prepare
    const owner = { email: newEmail('totp'), password: newPassword() };
    await seedOwner(pool, owner);
    const { context, page } = await newPage();
    await submitSignIn(page, webUrl, owner.email, owner.password);
    await inPortal(page);

    // act: set up, sign out, sign in with a wrong then the right code
    const secret = await setUpTotpInSettings(page);
    await screenshots(page, 'settings-totp-on');
    await signOut(page);
    await submitSignIn(page, webUrl, owner.email, owner.password);
    await page.getByRole('heading', { name: 'Enter your sign-in code' }).waitFor(WAIT);
    await screenshots(page, 'totp-code');
    await page.getByLabel('The 6-digit code your authenticator app shows').fill(wrongCodeFor(secret));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const wrongWords = await page.getByRole('alert').textContent();
    await page.getByLabel('The 6-digit code your authenticator app shows').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await inPortal(page);

    // act: turn it off, sign out, sign in with the password alone
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    await page.getByText('Off: signing in takes your password only.').waitFor(WAIT);
    await signOut(page);
    await submitSignIn(page, webUrl, owner.email, owner.password);

    // assess
    await inPortal(page);
    expect(wrongWords).toBe('That code is not right. Type the 6-digit code your authenticator app shows now.');
    await context.close();
  });

  it('forgot password: the code printed as the e-mail, a new password, signed in; an unknown address gets the same answer', async () => {
    // prepare
    const owner = { email: newEmail('forgot'), password: newPassword() };
    await seedOwner(pool, owner);
    const { context, page } = await newPage();
    const chosen = newPassword();

    // act: an address without an account first
    await page.goto(webUrl);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await page.getByLabel('E-mail').fill(newEmail('nobody'));
    await page.getByRole('button', { name: 'Send a reset code' }).click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor(WAIT);
    const strangerHint = await page.locator('#reset-code-hint').textContent();
    await page.getByRole('button', { name: 'Back to sign in' }).click();

    // act: the owner's own
    await page.getByLabel('E-mail').fill(owner.email);
    await page.getByRole('button', { name: 'Forgot your password?' }).click();
    await screenshots(page, 'forgot');
    await page.getByRole('button', { name: 'Send a reset code' }).click();
    await page.getByLabel('Reset code').fill(await printedCode(startLog, owner.email));
    await page.getByLabel('New password', { exact: true }).fill(chosen);
    await screenshots(page, 'reset');
    await page.getByRole('button', { name: 'Set password and sign in' }).click();
    await inPortal(page);
    await signOut(page);
    await submitSignIn(page, webUrl, owner.email, owner.password);
    const oldRefused = await page.getByRole('alert').textContent();
    await submitSignIn(page, webUrl, owner.email, chosen);

    // assess
    await inPortal(page);
    expect(strangerHint).toMatch(/^If nobody-.*@example\.test has a docdrop account, a code is on its way there\./);
    expect(oldRefused).toBe('That e-mail and password do not match. Check both and try again.');
    await context.close();
  });

  it("sign-out everywhere ends another browser's session at its next refresh (driven by the page's clock), which before it refreshed fine", async () => {
    // prepare: two browsers signed in as one owner; the second's clock is the test's
    const owner = { email: newEmail('everywhere'), password: newPassword() };
    await seedOwner(pool, owner);
    const here = await newPage();
    const there = await newPage();
    await there.page.clock.install();
    await submitSignIn(here.page, webUrl, owner.email, owner.password);
    await submitSignIn(there.page, webUrl, owner.email, owner.password);
    await inPortal(here.page);
    await inPortal(there.page);
    // Past the refresh point (5 minutes before the ID token's expiry): the refresh works.
    const pastRefresh = `${userPoolDefinition.client.idTokenMinutes - 4}:00`;
    await there.page.clock.fastForward(pastRefresh);
    await there.page.getByRole('button', { name: 'Settings' }).click();
    await there.page.getByRole('heading', { name: 'Sign-in security' }).waitFor(WAIT);
    const stillInBeforehand = await there.page.getByRole('button', { name: 'Sign out', exact: true }).isVisible();

    // act
    await here.page.getByRole('button', { name: 'Settings' }).click();
    await screenshots(here.page, 'settings-security');
    await here.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await here.page.getByRole('heading', { name: 'Sign in to docdrop' }).waitFor(WAIT);
    const hereNotice = await here.page.getByRole('status').first().textContent();
    await there.page.clock.fastForward(pastRefresh);

    // assess
    await there.page.getByRole('heading', { name: 'Sign in to docdrop' }).waitFor(WAIT);
    expect(stillInBeforehand).toBe(true);
    expect(hereNotice).toBe(
      `You are signed out on every device. Other devices are signed out within ${userPoolDefinition.client.idTokenMinutes} minutes.`,
    );
    expect(await there.page.getByText('Your session has ended. Sign in again.').isVisible()).toBe(true);
    await here.context.close();
    await there.context.close();
  });
});

describe('REQUIRE_MFA=true (docdrop:requireMfa; a system of its own)', () => {
  let required: RunningDocdrop;
  let requiredUrl: string;

  beforeAll(async () => {
    required = await startDocdrop([], { REQUIRE_MFA: 'true' });
    requiredUrl = `http://localhost:${required.ports.PORT}`;
  }, 90_000);

  afterAll(async () => {
    await required?.stop();
  });

  it('makes a new owner set up TOTP at first sign-in, then asks for the code, and offers no way to turn it off', async () => {
    // prepare
    const owner = { email: newEmail('required'), password: newPassword() };
    await seedOwner((await (await fetch(`${requiredUrl}/config.json`)).json()) as LocalPool, owner);
    const { context, page } = await newPage();

    // act
    await submitSignIn(page, requiredUrl, owner.email, owner.password);
    await page.getByRole('heading', { name: 'Set up two-step sign-in' }).waitFor(WAIT);
    await screenshots(page, 'mfa-setup');
    const secret = await secretOnPage(page);
    await page.getByLabel('The 6-digit code the app shows').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await inPortal(page);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByText('On: every sign-in asks for the code from your authenticator app.').waitFor(WAIT);
    const turnOff = await page.getByRole('button', { name: 'Turn off two-step sign-in' }).count();
    const why = await page.getByText('Your organisation requires two-step sign-in').textContent();
    await signOut(page);
    await submitSignIn(page, requiredUrl, owner.email, owner.password);

    // assess
    await page.getByRole('heading', { name: 'Enter your sign-in code' }).waitFor(WAIT);
    expect(readFileSync(required.startLog, 'utf8')).toContain(
      'sign-in       every owner must use an authenticator app (REQUIRE_MFA=true)',
    );
    expect(turnOff).toBe(0);
    expect(why).toBe('Your organisation requires two-step sign-in for every account, so it cannot be turned off.');
    await context.close();
  });
});
