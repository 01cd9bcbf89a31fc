import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { multipart, planParts } from '#contracts/limits';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';
import { type RunningDocdrop, startDocdrop } from './global-setup';

const { chromiumPath } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
// Generous: 40 MB goes through the gateway, S3's emulator and the validator on a shared machine.
const WAIT = { timeout: 60_000 };
/** Above `multipart.thresholdBytes` (32 MiB): five parts of 8 MiB, the last one shorter. */
const SIZE = 40_000_000;
const PARTS = planParts(SIZE).partCount;

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** A PDF of `SIZE` bytes whose every part differs (random), so a part sent twice or skipped shows. */
function bigPdf(): Buffer {
  const head = Buffer.from(
    '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%',
  );
  const tail = Buffer.from('\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  return Buffer.concat([head, randomBytes(SIZE - head.length - tail.length), tail]);
}

/** S3's COMPOSITE SHA-256 as the receipt shows it: hex of the SHA-256 of the parts' digests, then `-<parts>`. */
function compositeHex(bytes: Buffer): string {
  const { partSize, partCount } = planParts(bytes.length);
  const digests = Array.from({ length: partCount }, (_, index) =>
    sha256(bytes.subarray(index * partSize, (index + 1) * partSize)),
  );
  return `${sha256(Buffer.concat(digests)).toString('hex')}-${partCount}`;
}

let system: RunningDocdrop;
let webUrl: string;
let browser: Browser;
let ownerContext: BrowserContext;
let owner: Page;
let workDir: string;
const problems: string[] = [];

/** Files on disk: Playwright hands a page a buffer of at most 50 MB, and a path of any size. */
function fileOnDisk(name: string, bytes: Buffer): { path: string; bytes: Buffer; name: string } {
  const folder = join(workDir, randomUUID());
  mkdirSync(folder);
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return { path, bytes, name };
}

function watch(page: Page, name: string, expected: RegExp[] = []): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const line = `${name}: ${message.text()} (${message.location().url})`;
    if (![NO_PROFILE_PHOTO_YET, ...expected].some((pattern) => pattern.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
}

/** Every part PUT a page sends to storage (UploadPart carries `partNumber` and `uploadId` in its query). */
function partPuts(page: Page): Request[] {
  const puts: Request[] = [];
  page.on('request', (request) => {
    if (request.method() === 'PUT' && new URL(request.url()).searchParams.has('partNumber')) puts.push(request);
  });
  return puts;
}

/** UploadPart's address (its query names `partNumber`), for routing: the same function to route and unroute. */
const isPartUrl = (url: URL) => url.searchParams.has('partNumber');

const isPartPut = (request: Request) =>
  request.method() === 'PUT' && new URL(request.url()).searchParams.has('partNumber');

async function confirmationCodeFor(address: string): Promise<string> {
  const pattern = new RegExp(
    `>>> e-mail to ${address.replace(/[.+]/g, '\\$&')} \\(not sent, local\\): confirmation code (\\w+)`,
  );
  for (let tries = 0; tries < 100; tries++) {
    const code = pattern.exec(readFileSync(system.startLog, 'utf8'))?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start printed no confirmation code for ${address}`);
}

/** A link for `files` files of up to 50 MB, made in the portal as the owner would. */
async function linkFor(label: string, files = 1): Promise<string> {
  await owner.getByRole('button', { name: 'Upload links' }).click();
  await owner.getByLabel('Label (who or what it is for)').fill(label);
  await owner.getByLabel('Number of files').fill(String(files));
  await owner.getByLabel('Largest file (MB)').fill('50');
  await owner.getByRole('button', { name: 'Create link' }).click();
  await owner.getByRole('heading', { name: `Link for ${label}` }).waitFor(WAIT);
  return owner.locator('#created-link-url').inputValue();
}

async function clientPage(width = 1280): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  // A part refused on purpose (the test's network drop) is a failed load Chromium reports.
  watch(page, 'drop', [/Failed to load resource: net::ERR_INTERNET_DISCONNECTED/]);
  return { context, page };
}

/** The page at both widths the project checks, then back at `width`. */
async function screenshots(page: Page, name: string, width: number): Promise<void> {
  for (const size of [360, 1280]) {
    await page.setViewportSize({ width: size, height: 900 });
    await page.screenshot({ path: `${SCREENSHOTS}/${name}-${size}.png`, fullPage: true });
  }
  await page.setViewportSize({ width, height: 900 });
}

/**
 * The file's item once it has settled (the checks decided, or it failed), and its words: a
 * failure then shows its reason in the assertion rather than as a timeout.
 */
async function settled(page: Page, name: string, status = 'clean', reason = ''): Promise<Locator> {
  const item = page
    .locator(
      '.upload-item[data-status="clean"], .upload-item[data-status="rejected"], .upload-item[data-status="failed"]',
    )
    .filter({ has: page.locator('.name').getByText(name, { exact: true }) });
  await item.waitFor(WAIT);
  const reasons = await item.locator('.reason').allTextContents();
  expect(`${await item.getAttribute('data-status')}: ${reasons.join(' ')}`).toBe(`${status}: ${reason}`);
  return item;
}

/**
 * Starts sending `file` and lets parts land until two have (the rest fail as a dead network
 * would), then reloads the page as a closed tab would be: the offer to resume, and how many
 * parts it says storage holds.
 */
async function reloadAfterTwoParts(
  context: BrowserContext,
  page: Page,
  input: string,
  file: { path: string; name: string },
): Promise<{ offer: Locator; held: number }> {
  let landed = 0;
  const count = (request: Request) => {
    if (isPartPut(request)) landed++;
  };
  page.on('requestfinished', count);
  // Parts 1 and 2 only: with four on the wire, a cut decided by how many had landed could let
  // the last part start before it, and the whole file complete before the reload.
  await context.route(isPartUrl, (route) =>
    isPartPut(route.request()) && Number(new URL(route.request().url()).searchParams.get('partNumber')) > 2
      ? route.abort('internetdisconnected')
      : route.continue(),
  );
  await page.setInputFiles(input, file.path);
  await expect.poll(() => landed, WAIT).toBeGreaterThanOrEqual(2);
  await page.reload();
  await context.unroute(isPartUrl);
  page.off('requestfinished', count);
  const offer = page.getByLabel(new RegExp(`^Resume ${file.name} \\((\\d) of ${PARTS} parts sent\\)$`));
  await offer.waitFor({ state: 'attached', ...WAIT });
  const offerText = (await page.locator('.resume-offer label').textContent()) as string;
  return { offer, held: Number(/\((\d) of/.exec(offerText)?.[1]) };
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'docdrop-e2e-multipart-'));
  // A system of its own: the shared one's quota is 4 MiB, so that other tests can fill it.
  system = await startDocdrop([]);
  webUrl = `http://localhost:${system.ports.PORT}`;
  browser = await launchChromium(chromiumPath);
  ownerContext = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  owner = await ownerContext.newPage();
  watch(owner, 'portal');
  const email = `multipart-${randomUUID().slice(0, 8)}@example.test`;
  await owner.goto(webUrl);
  await owner.getByRole('button', { name: 'Create one' }).click(WAIT);
  await owner.getByLabel('E-mail').fill(email);
  await owner.getByLabel('Password').fill(`Web-${randomUUID()}-Aa1!`);
  await owner.getByRole('button', { name: 'Create account' }).click();
  await owner.getByLabel('Confirmation code').fill(await confirmationCodeFor(email));
  await owner.getByRole('button', { name: 'Confirm' }).click();
  await owner.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('multipart uploads from the portal and the drop page, in a real browser', { timeout: 240_000 }, () => {
  it('sends a 40 MB file through a link in parts, four at once, with one progress bar, and shows the composite receipt', async () => {
    // prepare
    expect(SIZE).toBeGreaterThan(multipart.thresholdBytes);
    const file = fileOnDisk('site survey.pdf', bigPdf());
    const { context, page } = await clientPage();
    const puts = partPuts(page);
    // Counted where the browser hands each part PUT over and gets its answer back: a lane starts
    // its next part only after that, so this is exactly what was on the wire at once. Each PUT
    // takes at least a second, as 8 MiB does on a real network (locally a part lands faster than
    // the next one is hashed and signed, and fewer lanes would ever be busy at once).
    let mostInFlight = 0;
    let inFlight = 0;
    await context.route(isPartUrl, async (route) => {
      if (!isPartPut(route.request())) return route.continue();
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await route.fulfill({ response: await route.fetch() });
      } finally {
        inFlight--;
      }
    });
    // Hashing runs in the bundled Web Worker (the page falls back to hashing itself only where there are no workers).
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    await page.goto(await linkFor('Site survey'));
    await page.getByRole('heading', { name: 'Site survey' }).waitFor(WAIT);

    // act
    await page.setInputFiles('#drop-input', file.path);
    const bar = page.locator('.upload-item progress');
    await page.waitForFunction((element: any) => element && element.value > 0, await bar.elementHandle(WAIT), WAIT);
    await screenshots(page, 'multipart-progress', 1280);
    const item = await settled(page, file.name);

    // assess
    expect(puts).toHaveLength(PARTS);
    expect(mostInFlight).toBe(4);
    expect(workers).toHaveLength(2);
    for (const worker of workers) expect(worker).toMatch(/^\/assets\/part-hasher-[A-Z0-9]{8}\.js$/);
    expect(await item.locator('.status').textContent()).toBe('Received; passed the checks and delivered');
    const receipt = item.locator('dl.receipt');
    expect(await receipt.locator('dt').nth(2).textContent()).toBe(`SHA-256 of ${PARTS} parts`);
    expect(await receipt.locator('dd.digest').textContent()).toBe(compositeHex(file.bytes));
    // Finished: nothing left to resume.
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('sends a 40 MB file from the portal in parts, and the owner downloads the same bytes', async () => {
    // prepare
    const file = fileOnDisk('drone footage.pdf', bigPdf());
    const puts = partPuts(owner);
    await owner.getByRole('button', { name: 'Files', exact: true }).click();

    // act
    await owner.setInputFiles('#owner-upload-input', file.path);
    await settled(owner, file.name);
    const row = owner.locator('table.files tr[data-status="clean"]', { hasText: file.name });
    await row.waitFor(WAIT);
    const [download] = await Promise.all([
      owner.waitForEvent('download', WAIT),
      row.getByRole('button', { name: `Download ${file.name}` }).click(),
    ]);

    // assess
    expect(puts).toHaveLength(PARTS);
    expect(sha256(readFileSync((await download.path()) as string)).equals(sha256(file.bytes))).toBe(true);
    expect(problems).toEqual([]);
  });

  it('rides out a network drop mid-upload without the person doing anything', async () => {
    // prepare: the first three part PUTs after the first part lands fail as a dropped connection would
    const file = fileOnDisk('recording.pdf', bigPdf());
    const { context, page } = await clientPage();
    const puts = partPuts(page);
    let dropped = 0;
    let landed = 0;
    page.on('requestfinished', (request) => {
      if (isPartPut(request)) landed++;
    });
    await context.route(isPartUrl, (route) => {
      if (isPartPut(route.request()) && landed >= 1 && dropped < 3) {
        dropped++;
        return route.abort('internetdisconnected');
      }
      return route.continue();
    });
    await page.goto(await linkFor('Recording'));

    // act
    await page.setInputFiles('#drop-input', file.path);
    const item = await settled(page, file.name);

    // assess: each dropped part was sent again, and no other
    expect(dropped).toBe(3);
    expect(puts).toHaveLength(PARTS + 3);
    expect(await item.locator('dd.digest').textContent()).toBe(compositeHex(file.bytes));
    await context.close();
  });

  it('waits while the browser is offline and goes on when it is back', async () => {
    // prepare
    const file = fileOnDisk('archive.pdf', bigPdf());
    const { context, page } = await clientPage();
    const puts = partPuts(page);
    // Parts take a second each, as on a slow network, so that the drop comes while parts are on the wire.
    await context.route(isPartUrl, async (route) => {
      if (isPartPut(route.request())) await new Promise((resolve) => setTimeout(resolve, 1000));
      return route.continue().catch(() => undefined);
    });
    await page.goto(await linkFor('Archive'));
    const firstLanded = page.waitForEvent('requestfinished', { predicate: isPartPut, ...WAIT });

    // act: offline as soon as one part has landed, for five seconds
    await page.setInputFiles('#drop-input', file.path);
    await firstLanded;
    await context.setOffline(true);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const stillSending = await page.locator('.upload-item').getAttribute('data-status');
    await context.setOffline(false);
    const item = await settled(page, file.name);

    // assess: not given up while offline; afterwards only parts storage did not hold were sent again
    expect(stillSending).toBeNull();
    expect(puts.length).toBeGreaterThanOrEqual(PARTS);
    expect(puts.length).toBeLessThanOrEqual(PARTS + 4);
    expect(await item.locator('dd.digest').textContent()).toBe(compositeHex(file.bytes));
    await context.close();
  });

  it('offers to resume after a reload, refuses a different file, and sends only the missing parts of the same one', async () => {
    // prepare: parts land until two have; then the page is reloaded as a closed tab would be
    const file = fileOnDisk('scan archive.pdf', bigPdf());
    const other = fileOnDisk('other archive.pdf', bigPdf());
    const { context, page } = await clientPage(360);
    const link = await linkFor('Scan archive');
    await page.goto(link);
    const { offer, held } = await reloadAfterTwoParts(context, page, '#drop-input', file);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await screenshots(page, 'multipart-resume-offer', 360);
    // act: the wrong file first (same size, other bytes), then the right one
    const puts = partPuts(page);
    await offer.setInputFiles(other.path);
    const refused = page.locator('.upload-item[data-status="failed"]', { hasText: other.name });
    await refused.waitFor(WAIT);
    const putsForOther = puts.length;
    await offer.setInputFiles(file.path);
    const item = await settled(page, file.name);

    // assess
    expect(held).toBe(2);
    expect(await refused.locator('.reason').textContent()).toBe(
      `${other.name} is not the file this upload was for (its first bytes differ). Choose ${file.name} again.`,
    );
    expect(putsForOther).toBe(0);
    expect(puts).toHaveLength(PARTS - held);
    expect(await item.locator('dd.digest').textContent()).toBe(compositeHex(file.bytes));
    expect(await page.locator('.resume-offer').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
    await context.close();
  });

  it('forgets an unfinished upload that expired, or that the API no longer has open, and says so', async () => {
    // prepare: what a page left behind for this link, under the hash of its token
    const link = await linkFor('Old uploads');
    const key = `docdrop.unfinished-uploads.${sha256(Buffer.from(`link:${link.split('#')[1]}`))
      .subarray(0, 12)
      .toString('hex')}`;
    const left = (fileName: string, expiresAt: string) => ({
      uploadId: randomUUID(),
      fileName,
      size: SIZE,
      lastModified: Date.now(),
      contentType: 'application/pdf',
      ...planParts(SIZE),
      expiresAt,
      firstPartSha256: sha256(Buffer.from(fileName)).toString('base64'),
    });
    const { context, page } = await clientPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Old uploads' }).waitFor(WAIT);
    await page.evaluate(
      ([name, value]) => (globalThis as any).localStorage.setItem(name, value),
      [key, JSON.stringify([left('expired.pdf', new Date(Date.now() - 60_000).toISOString())])],
    );

    // act
    await page.reload();
    const expired = await page.getByRole('alert').filter({ hasText: 'expired.pdf' }).textContent(WAIT);
    await page.evaluate(
      ([name, value]) => (globalThis as any).localStorage.setItem(name, value),
      [key, JSON.stringify([left('unknown.pdf', new Date(Date.now() + 3_600_000).toISOString())])],
    );
    await page.reload();
    const gone = await page.getByRole('alert').filter({ hasText: 'unknown.pdf' }).textContent(WAIT);

    // assess
    expect(expired).toBe('The unfinished upload of expired.pdf expired; send it again.');
    expect(gone).toBe('The unfinished upload of unknown.pdf is no longer open; send it again.');
    expect(await page.locator('.resume-offer').count()).toBe(0);
    expect(await page.evaluate((name) => (globalThis as any).localStorage.getItem(name), key)).toBeNull();
    await context.close();
  });

  it('signs a part again when storage refuses its URL as expired, and sends it', async () => {
    // prepare: the first PUT of part 2 answered as S3 answers a URL past its expiry (the emulator
    // would need the URL's 15 minutes to go by: this one answer is made up)
    const file = fileOnDisk('slow upload.pdf', bigPdf());
    const { context, page } = await clientPage();
    const signCalls: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/parts')) signCalls.push(request.postData() ?? '');
    });
    let refused = 0;
    await context.route(isPartUrl, (route) => {
      const url = new URL(route.request().url());
      if (isPartPut(route.request()) && url.searchParams.get('partNumber') === '2' && refused === 0) {
        refused++;
        return route.fulfill({
          status: 403,
          contentType: 'application/xml',
          headers: { 'access-control-allow-origin': '*' },
          body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
        });
      }
      return route.continue();
    });
    await page.goto(await linkFor('Slow upload'));

    // act
    await page.setInputFiles('#drop-input', file.path);
    const item = await settled(page, file.name);

    // assess: part 2 was in a signing call again after the refusal
    expect(refused).toBe(1);
    const signedPart2 = signCalls.filter((body) =>
      (JSON.parse(body) as { parts: { partNumber: number }[] }).parts.some((part) => part.partNumber === 2),
    );
    expect(signedPart2).toHaveLength(2);
    expect(await item.locator('dd.digest').textContent()).toBe(compositeHex(file.bytes));
    await context.close();
  });

  it('cancels an upload in parts: aborted, and the link use given back', async () => {
    // prepare: parts take a while, so there is time to cancel
    const file = fileOnDisk('wrong scan.pdf', bigPdf());
    const { context, page } = await clientPage();
    await context.route(isPartUrl, async (route) => {
      if (isPartPut(route.request())) await new Promise((resolve) => setTimeout(resolve, 1000));
      return route.continue().catch(() => undefined);
    });
    const aborts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'DELETE') aborts.push(request.url());
    });
    await page.goto(await linkFor('Wrong scan'));
    await page.setInputFiles('#drop-input', file.path);
    await page.getByText(/^Sending\.\.\./).waitFor(WAIT);
    expect(await page.getByTestId('uploads-left').textContent()).toBe('0 files');

    // act
    await page.getByRole('button', { name: `Cancel sending ${file.name}` }).click();
    await settled(page, file.name, 'failed', 'Cancelled: nothing of it was kept.');

    // assess
    expect(aborts).toHaveLength(1);
    await expect.poll(() => page.getByTestId('uploads-left').textContent(), WAIT).toBe('1 file');
    expect(await page.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
    await context.close();
  });

  it('offers the owner to resume after a reload of the portal, and sends only the missing parts', async () => {
    // prepare
    const file = fileOnDisk('board minutes.pdf', bigPdf());
    await owner.getByRole('button', { name: 'Files', exact: true }).click();
    const { offer, held } = await reloadAfterTwoParts(ownerContext, owner, '#owner-upload-input', file);
    const puts = partPuts(owner);

    // act
    await offer.setInputFiles(file.path);
    await settled(owner, file.name);

    // assess
    expect(held).toBe(2);
    expect(puts).toHaveLength(PARTS - held);
    await owner.locator('table.files tr[data-status="clean"]', { hasText: file.name }).waitFor(WAIT);
    expect(await owner.locator('.resume-offer').count()).toBe(0);
  });
});
