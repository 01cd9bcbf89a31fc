import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalPool, seedOwner, signIn } from '../../local/owners';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';

/**
 * The portal's storage meter and Activity view against `npm start`'s system, which runs here
 * with a 4 MiB quota per owner (`--quota-bytes`, see global-setup.ts) so that a test can fill it.
 */

const { webUrl, chromiumPath, quotaBytes } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
const WAIT = { timeout: 20_000 };
const MiB = 1024 * 1024;

/** A PDF of exactly `size` bytes: the header the validator recognises, then spaces. */
function pdfOf(size: number): Buffer {
  const head = Buffer.from(`%PDF-1.4\n% ${randomUUID()}\n`);
  return Buffer.concat([head, Buffer.alloc(size - head.length, ' ')]);
}

let browser: Browser;
let owner: Page;
let idToken: string;
const credentials = { email: `meter-${randomUUID().slice(0, 8)}@example.test`, password: `Web-${randomUUID()}-Aa1!` };
const problems: string[] = [];
const expectedFailures: RegExp[] = [NO_PROFILE_PHOTO_YET];

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${webUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${idToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const fileRow = (name: string, status: string) =>
  owner.locator(`table.files tr[data-status="${status}"]`, { hasText: name });
const meterWords = () => owner.locator('#usage-words');

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const pool = (await (await fetch(`${webUrl}/config.json`)).json()) as LocalPool;
  await seedOwner(pool, credentials);
  idToken = (await signIn(pool, credentials)).idToken;
  browser = await launchChromium(chromiumPath);
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  owner = await context.newPage();
  owner.on('console', (message) => {
    const line = `${message.text()} (${message.location().url})`;
    if (message.type() === 'error' && !expectedFailures.some((pattern) => pattern.test(line))) problems.push(line);
  });
  owner.on('pageerror', (error) => problems.push(error.message));
  await owner.goto(webUrl);
  await owner.getByLabel('E-mail').fill(credentials.email);
  await owner.getByLabel('Password').fill(credentials.password);
  await owner.getByRole('button', { name: 'Sign in' }).click();
  await owner.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
});

afterAll(async () => {
  await browser?.close();
});

describe('storage usage and activity in the portal', () => {
  it('shows the storage used once uploads settle, and less after a delete', async () => {
    // prepare
    expect(quotaBytes).toBe(4 * MiB);
    await meterWords().getByText('0 bytes of 4.0 MB used; 4.0 MB left.').waitFor(WAIT);

    // act: two files, 1 MiB and 512 KiB
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'big report.pdf', mimeType: 'application/pdf', buffer: pdfOf(MiB) },
      { name: 'small report.pdf', mimeType: 'application/pdf', buffer: pdfOf(MiB / 2) },
    ]);
    await fileRow('big report.pdf', 'clean').waitFor(WAIT);
    await fileRow('small report.pdf', 'clean').waitFor(WAIT);
    await meterWords().getByText('1.5 MB of 4.0 MB used; 2.5 MB left.').waitFor(WAIT);
    const meterAfterUploads = await owner.getByRole('meter', { name: 'Storage' }).evaluate((meter: any) => ({
      value: meter.value,
      max: meter.max,
      text: meter.getAttribute('aria-valuetext'),
    }));
    await owner.locator('.usage').screenshot({ path: `${SCREENSHOTS}/20-usage-meter.png` });
    // act: delete the larger one
    await owner.getByRole('button', { name: 'Delete big report.pdf' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();

    // assess
    expect(meterAfterUploads).toEqual({ value: 1.5 * MiB, max: 4 * MiB, text: '1.5 MB of 4.0 MB used; 2.5 MB left.' });
    await meterWords().getByText('512 KB of 4.0 MB used; 3.5 MB left.').waitFor(WAIT);
  });

  it("refuses a file over the remaining quota before sending it, and shows the server's refusal when the room went meanwhile", async () => {
    // prepare
    const presigns: string[] = [];
    owner.on('request', (request) => {
      if (request.url().endsWith('/api/uploads')) presigns.push(request.url());
    });

    // act: 3.75 MiB when 3.5 MiB are left
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'too big.pdf', mimeType: 'application/pdf', buffer: pdfOf(3.75 * MiB) },
    ]);
    const refusal = await owner.locator('.upload-panel [role="alert"]').textContent(WAIT);
    // act: another session (here, the API) reserves 3 MiB; this page still believes 3.5 MiB are left
    const reserved = await api('POST', '/api/uploads', {
      fileName: 'elsewhere.pdf',
      contentType: 'application/pdf',
      size: 3 * MiB,
      sha256: createHash('sha256').update('elsewhere').digest('base64'),
    });
    const serverRefusal = /Failed to load resource: the server responded with a status of 413 .*\/api\/uploads\)$/;
    expectedFailures.push(serverRefusal);
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'one more.pdf', mimeType: 'application/pdf', buffer: pdfOf(MiB) },
    ]);
    const failed = owner.locator('.upload-item[data-status="failed"]', { hasText: 'one more.pdf' });
    await failed.waitFor(WAIT);

    // assess
    expect(refusal).toBe(
      'too big.pdf (3.8 MB) does not fit: 3.5 MB of your storage is left. Delete files you no longer need, or send fewer.',
    );
    expect(reserved.status).toBe(201);
    expect(presigns).toHaveLength(1);
    expect(await failed.locator('.reason').textContent()).toBe(
      `This upload needs ${MiB} bytes, but only ${MiB / 2} of the ${4 * MiB}-byte storage quota are left.`,
    );
    await meterWords()
      .getByText('3.5 MB of 4.0 MB used (3.0 MB of it by uploads under way); 512 KB left.')
      .waitFor(WAIT);
    await owner.screenshot({ path: `${SCREENSHOTS}/21-quota-refused.png`, fullPage: true });
  });

  it("lists a file's upload, check and download newest first, a page at a time", async () => {
    // prepare: a download in the portal, then more entries than one page (20) through the API
    const [download] = await Promise.all([
      owner.waitForEvent('download', WAIT),
      owner.getByRole('button', { name: 'Download small report.pdf' }).click(),
    ]);
    await download.path();
    const files = await api('GET', '/api/files');
    const small = files.body.items.find((file: { name: string }) => file.name === 'small report.pdf');
    for (let times = 0; times < 15; times++) {
      expect((await api('GET', `/api/files/${small.fileId}/download`)).status).toBe(200);
    }

    // act: open Activity, then Load more from the keyboard
    await owner.getByRole('button', { name: 'Activity', exact: true }).click();
    await owner.getByRole('heading', { name: 'Activity' }).waitFor(WAIT);
    const rows = owner.locator('table.activity tbody tr');
    await rows.nth(19).waitFor(WAIT);
    const firstPage = await rows.count();
    const more = owner.getByRole('button', { name: 'Load more' });
    await more.focus();
    await owner.keyboard.press('Enter');
    await rows.nth(20).waitFor(WAIT);
    const lines = await rows.evaluateAll((trs: any[]) =>
      trs.map((tr) => ({
        id: tr.dataset.eventId,
        cells: [...tr.cells].map((cell: any) => cell.textContent),
      })),
    );

    // assess
    expect(firstPage).toBe(20);
    expect(await more.isHidden()).toBe(true);
    expect(new Set(lines.map((line) => line.id)).size).toBe(lines.length);
    const ofSmall = lines.map(({ cells }) => cells.slice(1)).filter(([, object]) => object === 'small report.pdf');
    const firstIndex = (action: string) => ofSmall.findIndex(([words]) => words === action);
    expect(ofSmall[0]).toEqual(['Downloaded', 'small report.pdf', 'You', 'Allowed', expect.any(String)]);
    expect(firstIndex('Downloaded')).toBeLessThan(firstIndex('Checked'));
    expect(firstIndex('Checked')).toBeLessThan(firstIndex('Upload started'));
    expect(ofSmall[firstIndex('Checked')]?.slice(2, 4)).toEqual(['The validator', 'Passed the checks']);
    expect(ofSmall.filter(([words]) => words === 'Downloaded')).toHaveLength(16);
    expect(lines.some(({ cells }) => cells[1] === 'Deleted' && cells[2] === 'big report.pdf')).toBe(true);
    await owner.screenshot({ path: `${SCREENSHOTS}/22-activity.png`, fullPage: true });
  });

  it('fits the Activity view into a 360 px wide screen, each entry a card', async () => {
    // act
    await owner.setViewportSize({ width: 360, height: 800 });

    // assess
    const width = await owner.evaluate(() => (globalThis as any).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(360);
    await owner.screenshot({ path: `${SCREENSHOTS}/23-activity-360px.png` });
    await owner.setViewportSize({ width: 1280, height: 900 });
  });

  it('keeps previews shown from burying downloads in the Activity view, and shows them when asked', async () => {
    // prepare: an image, downloaded once, then previewed more often than a page holds
    const png = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#2a7' } })
      .png()
      .toBuffer();
    await owner.getByRole('button', { name: 'Files', exact: true }).click();
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'receipt photo.png', mimeType: 'image/png', buffer: png },
    ]);
    await fileRow('receipt photo.png', 'clean').waitFor(WAIT);
    const image = (await api('GET', '/api/files')).body.items.find(
      (file: { name: string }) => file.name === 'receipt photo.png',
    );
    expect((await api('GET', `/api/files/${image.fileId}/download`)).status).toBe(200);
    for (let times = 0; times < 25; times++) {
      expect((await api('GET', `/api/files/${image.fileId}/thumbnail`)).status).toBe(200);
    }

    // act: open Activity (which reads the trail anew) as it opens by default, then include previews
    await owner.getByRole('button', { name: 'Activity', exact: true }).click();
    const rows = owner.locator('table.activity tbody tr');
    await owner.locator('.activity-view .hint[aria-live]', { hasText: 'previews left out' }).waitFor(WAIT);
    const actions = () => rows.evaluateAll((trs: any[]) => trs.map((tr) => tr.cells[1].textContent));
    const byDefault = await actions();
    const summary = await owner.locator('.activity-view .hint[aria-live]').textContent();
    await owner.getByLabel('Include previews').check();
    const withPreviews = await actions();

    // assess: each preview is still recorded (25 through the API, more by the portal's list)
    // At least a page of other entries, read from as many pages of the trail as that took.
    expect(byDefault.length).toBeGreaterThanOrEqual(20);
    expect(byDefault).not.toContain('Preview shown');
    expect(byDefault[0]).toBe('Downloaded');
    expect(summary).toMatch(/^\d+ entries shown \((\d+) previews left out\)(; older entries not loaded yet)?\.$/);
    expect(Number(/\((\d+) previews/.exec(summary ?? '')?.[1])).toBeGreaterThanOrEqual(25);
    expect(withPreviews.slice(0, 25)).toEqual(new Array(25).fill('Preview shown'));
    await owner.screenshot({ path: `${SCREENSHOTS}/24-activity-previews-left-out.png`, fullPage: true });
    await owner.getByLabel('Include previews').uncheck();
  });

  it('logged no script error or unexpected failed request', () => {
    expect(problems).toEqual([]);
  });
});
