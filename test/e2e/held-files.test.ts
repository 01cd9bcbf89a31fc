import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalPool, seedOwner, signIn } from '../../local/owners';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';
import { type RunningDocdrop, startDocdrop } from './global-setup';

/**
 * Held files in the portal: a system of its own whose stand-in scanner cannot scan files above
 * 2 KiB (MALWARE_SCAN_MAX_BYTES), so an upload is held for real; the owner releases one (a
 * confirm that says the risk) and discards another.
 */

const { chromiumPath } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
const WAIT = { timeout: 20_000 };
const MAX_SCAN_BYTES = 2048;

let system: RunningDocdrop;
let webUrl: string;
let browser: Browser;
let owner: Page;
let idToken: string;
const problems: string[] = [];

/** A real PDF above what the scanner can scan: the header the validator recognises, then spaces. */
function unscannablePdf(): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% ${randomUUID()}\n`);
  return Buffer.concat([head, Buffer.alloc(MAX_SCAN_BYTES + 512 - head.length, ' ')]);
}

/** Uploads as the owner through the API (the portal's own upload is covered elsewhere). */
async function uploadHeld(name: string): Promise<void> {
  const bytes = unscannablePdf();
  const presign = await fetch(`${webUrl}/api/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      fileName: name,
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('base64'),
    }),
  });
  const signed = (await presign.json()) as { url: string; headers: Record<string, string> };
  const { 'content-length': _length, ...headers } = signed.headers;
  expect((await fetch(signed.url, { method: 'PUT', headers, body: bytes })).status).toBe(200);
}

const fileRow = (name: string, status: string) =>
  owner.locator(`table.files tr[data-status="${status}"]`, { hasText: name });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const before = process.env.MALWARE_SCAN_MAX_BYTES;
  process.env.MALWARE_SCAN_MAX_BYTES = String(MAX_SCAN_BYTES);
  try {
    system = await startDocdrop([]);
  } finally {
    if (before === undefined) delete process.env.MALWARE_SCAN_MAX_BYTES;
    else process.env.MALWARE_SCAN_MAX_BYTES = before;
  }
  webUrl = `http://localhost:${system.ports.PORT}`;
  const credentials = { email: `held-${randomUUID().slice(0, 8)}@example.test`, password: `Web-${randomUUID()}-Aa1!` };
  const pool = (await (await fetch(`${webUrl}/config.json`)).json()) as LocalPool;
  await seedOwner(pool, credentials);
  idToken = (await signIn(pool, credentials)).idToken;
  browser = await launchChromium(chromiumPath);
  owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  owner.on('console', (message) => {
    const line = `${message.text()} (${message.location().url})`;
    if (message.type() === 'error' && !NO_PROFILE_PHOTO_YET.test(line)) problems.push(line);
  });
  owner.on('pageerror', (error) => problems.push(error.message));
  await owner.goto(webUrl);
  await owner.getByLabel('E-mail').fill(credentials.email);
  await owner.getByLabel('Password').fill(credentials.password);
  await owner.getByRole('button', { name: 'Sign in' }).click();
  await owner.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('held files in the portal', { timeout: 120_000 }, () => {
  it('shows why a file is held, and releases it after a confirm that names the risk: it is then checked and delivered', async () => {
    // prepare
    await uploadHeld('unscannable statement.pdf');
    await owner.getByRole('button', { name: 'Refresh' }).click();
    const held = fileRow('unscannable statement.pdf', 'held');
    await held.waitFor(WAIT);
    await expect(held.textContent()).resolves.toContain('could not scan it');

    // act
    await owner.getByRole('button', { name: 'Release unscannable statement.pdf' }).click();
    const dialog = owner.getByRole('dialog');
    const question = await dialog.textContent();
    await dialog.getByRole('button', { name: 'Release' }).click();

    // assess
    expect(question).toContain('may be harmful');
    await fileRow('unscannable statement.pdf', 'clean').waitFor(WAIT);
    await owner.screenshot({ path: `${SCREENSHOTS}/held-file-released.png` });
    expect(problems).toEqual([]);
  });

  it('discards a held file after a confirm: it leaves the list', async () => {
    // prepare
    await uploadHeld('unwanted archive.pdf');
    await owner.getByRole('button', { name: 'Refresh' }).click();
    await fileRow('unwanted archive.pdf', 'held').waitFor(WAIT);

    // act
    await owner.getByRole('button', { name: 'Discard unwanted archive.pdf' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Discard' }).click();

    // assess
    await owner.locator('table.files tr', { hasText: 'unwanted archive.pdf' }).waitFor({ state: 'detached', ...WAIT });
    expect(problems).toEqual([]);
  });
});
