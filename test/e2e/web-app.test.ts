import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { samplePdf } from '../support/pdf-samples';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';

const { webUrl, startLog, chromiumPath } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
// Generous: the machine is shared, and a browser, three emulators and the validator run at once.
const WAIT = { timeout: 20_000 };

const sha256 = (bytes: Uint8Array | Buffer) => createHash('sha256').update(bytes).digest('hex');
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
/** An ELF program named and declared as a PDF. */
const DISGUISED = Buffer.concat([
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]),
  Buffer.alloc(56),
  Buffer.from('payload'),
]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

let browser: Browser;
let ownerContext: BrowserContext;
let owner: Page;
let clientContext: BrowserContext;
let client: Page;
let png: Buffer;
let linkUrl: string;
const email = `owner-${randomUUID().slice(0, 8)}@example.test`;
const password = `Web-${randomUUID()}-Aa1!`;
const clientFile = {
  name: 'passport scan.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.concat([PDF, Buffer.from(`% ${randomUUID()}\n`)]),
};

/** What the pages reported that nobody should see: CSP violations, script errors, failed loads. */
const problems: string[] = [];
/**
 * Failed loads a step expects (e.g. the drop page asking about a revoked link answers 410).
 * From the start: an owner without a picture yet gets 404 `no_profile_photo`, which Chromium reports.
 */
const expectedFailures: RegExp[] = [NO_PROFILE_PHOTO_YET];

function watch(page: Page, name: string): void {
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return;
    const line = `${name}: ${message.text()} (${message.location().url})`;
    if (!expectedFailures.some((pattern) => pattern.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
}

/** Form controls a screen reader could not name: every input and select needs a label. */
function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...(globalThis as any).document.querySelectorAll('input, select, textarea')]
      .filter((control: any) => control.labels.length === 0 && !control.getAttribute('aria-label'))
      .map((control: any) => control.outerHTML),
  );
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** The confirmation code exactly as `npm start` printed it for this address. */
async function confirmationCodeFor(address: string): Promise<string> {
  const pattern = new RegExp(
    `>>> e-mail to ${address.replace(/[.+]/g, '\\$&')} \\(not sent, local\\): confirmation code (\\w+)`,
  );
  for (let tries = 0; tries < 100; tries++) {
    const code = pattern.exec(readFileSync(startLog, 'utf8'))?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`npm start printed no confirmation code for ${address}`);
}

/** Creates a one-file upload link in the portal, as the owner would; its address. */
async function oneFileLink(label: string): Promise<string> {
  await owner.getByRole('button', { name: 'Upload links' }).click();
  await owner.getByLabel('Label (who or what it is for)').fill(label);
  await owner.getByLabel('Number of files').fill('1');
  await owner.getByRole('button', { name: 'Create link' }).click();
  await owner.getByRole('heading', { name: `Link for ${label}` }).waitFor(WAIT);
  return owner.locator('#created-link-url').inputValue();
}

const fileRow = (page: Page, name: string, status: string) =>
  page.locator(`table.files tr[data-status="${status}"]`, { hasText: name });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c0392b' } })
    .png()
    .toBuffer();
  // A fresh temporary profile per launch; flags keep Chromium quiet and offline.
  browser = await launchChromium(chromiumPath);
  ownerContext = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await ownerContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: webUrl });
  // Records what the live region says, as a screen reader would hear it (init scripts are not subject to the page's CSP).
  await ownerContext.addInitScript(() => {
    const heard: string[] = [];
    (globalThis as any).heard = heard;
    new (globalThis as any).MutationObserver(() => {
      const text = (globalThis as any).document.getElementById('live')?.textContent;
      if (text) heard.push(text);
    }).observe((globalThis as any).document, { subtree: true, childList: true, characterData: true });
  });
  owner = await ownerContext.newPage();
  watch(owner, 'portal');
});

afterAll(async () => {
  await browser?.close();
});

describe('the web app in a real browser', () => {
  it('serves the portal with the Content-Security-Policy and security headers', async () => {
    // act
    const response = await owner.goto(webUrl);

    // assess
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['content-security-policy']).toContain("script-src 'self';");
    expect(headers['content-security-policy']).toContain("style-src 'self';");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-frame-options']).toBe('DENY');
    expect(headers['referrer-policy']).toBe('no-referrer');
    await owner.getByRole('heading', { name: 'Sign in to docdrop' }).waitFor(WAIT);
    await screenshot(owner, '01-sign-in');
  });

  it('moves keyboard focus in reading order on the sign-in page, with a visible focus ring', async () => {
    // act: Tab five times; the page put focus on its heading, so Tab goes on from there
    const stops: { name: string; outline: string }[] = [];
    for (let step = 0; step < 5; step++) {
      await owner.keyboard.press('Tab');
      stops.push(
        await owner.evaluate(() => {
          const element = (globalThis as any).document.activeElement;
          const style = (globalThis as any).getComputedStyle(element);
          return {
            name: element.labels?.[0]?.textContent ?? element.textContent,
            outline: `${style.outlineStyle} ${style.outlineWidth}`,
          };
        }),
      );
    }

    // assess
    expect(stops.map((stop) => stop.name)).toEqual([
      'E-mail',
      'Password',
      'Sign in',
      'Forgot your password?',
      'Create one',
    ]);
    for (const stop of stops) expect(stop.outline).toBe('solid 3px');
  });

  it('signs up an owner with the confirmation code npm start prints, signs out and signs in again', async () => {
    // act: sign up and confirm
    await owner.getByRole('button', { name: 'Create one' }).click();
    await owner.getByLabel('E-mail').fill(email);
    await owner.getByLabel('Password').fill(password);
    await owner.getByRole('button', { name: 'Create account' }).click();
    await owner.getByRole('heading', { name: 'Confirm your e-mail' }).waitFor(WAIT);
    expect(await unlabelledControls(owner)).toEqual([]);
    await owner.getByLabel('Confirmation code').fill(await confirmationCodeFor(email));
    await owner.getByRole('button', { name: 'Confirm' }).click();
    await owner.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
    // act: sign out, then a wrong password, then the right one
    await owner.getByRole('button', { name: 'Sign out' }).click();
    await owner.getByLabel('E-mail').fill(email);
    await owner.getByLabel('Password').fill(`${password}x`);
    // Cognito answers a wrong password with a 400, which the browser reports.
    const cognitoRefusal =
      /portal: Failed to load resource: the server responded with a status of 400 .*\(http:\/\/127\.0\.0\.1:\d+\/\)$/;
    expectedFailures.push(cognitoRefusal);
    await owner.getByRole('button', { name: 'Sign in' }).click();
    const refusal = await owner.getByRole('alert').textContent(WAIT);
    expectedFailures.splice(expectedFailures.indexOf(cognitoRefusal), 1);
    await owner.getByLabel('Password').fill(password);
    await owner.getByRole('button', { name: 'Sign in' }).click();

    // assess
    expect(refusal).toContain('do not match');
    await owner.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
    // Functions, not strings: the page's CSP (rightly) forbids evaluating strings.
    expect(await owner.evaluate(() => (globalThis as any).localStorage.length)).toBe(0);
    expect(await owner.evaluate(() => (globalThis as any).sessionStorage.getItem('docdrop.session') !== null)).toBe(
      true,
    );
  });

  it('uploads two files dropped at once, which turn clean, with a preview for the image', async () => {
    // prepare: what a drag from the desktop carries
    const dropped = await owner.evaluateHandle(
      (files) => {
        const transfer = new (globalThis as any).DataTransfer();
        for (const file of files) {
          const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
          transfer.items.add(new (globalThis as any).File([bytes], file.name, { type: file.type }));
        }
        return transfer;
      },
      [
        { name: 'Quarterly report.pdf', type: 'application/pdf', base64: PDF.toString('base64') },
        { name: 'red square.png', type: 'image/png', base64: png.toString('base64') },
      ],
    );

    // A mouse can drag: the desktop is told it may (a phone is not, see the drop page's test).
    expect(await owner.locator('.dropzone').innerText()).toMatch(/^Drag files here, or/);
    // act: both dropped on the drop zone at once
    await owner.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });

    // assess
    await fileRow(owner, 'Quarterly report.pdf', 'clean').waitFor(WAIT);
    await fileRow(owner, 'red square.png', 'clean').waitFor(WAIT);
    await owner.locator('.upload-item[data-status="clean"]').nth(1).waitFor(WAIT);
    const preview = fileRow(owner, 'red square.png', 'clean').locator('td.preview img');
    await owner.waitForFunction(
      (img: any) => img.complete && img.naturalWidth > 0,
      await preview.elementHandle(WAIT),
      WAIT,
    );
    await screenshot(owner, '02-files-clean');
  });

  it('flags a PDF that carries scripts and an attachment with badges in words, each with a title that explains', async () => {
    // prepare
    const scripted = await samplePdf(['javascriptAnnotation', 'attachedFile'], { objectStreams: true });
    const dropped = await owner.evaluateHandle((base64) => {
      const transfer = new (globalThis as any).DataTransfer();
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      transfer.items.add(new (globalThis as any).File([bytes], 'Signed form.pdf', { type: 'application/pdf' }));
      return transfer;
    }, Buffer.from(scripted).toString('base64'));

    // act
    await owner.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });

    // assess: released (the owner's default accepts it), flagged
    const row = fileRow(owner, 'Signed form.pdf', 'clean');
    await row.waitFor(WAIT);
    const badges = row.locator('.badge');
    expect(await badges.allInnerTexts()).toEqual(['Has attachments', 'Contains scripts']);
    expect(await badges.nth(1).getAttribute('title')).toBe(
      'This PDF carries JavaScript, which a PDF reader may run when it is opened or used.',
    );
    await screenshot(owner, '02b-files-active-content');

    // clean up: the later steps count the owner's files
    await row.getByRole('button', { name: 'Delete Signed form.pdf' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached', ...WAIT });
  });

  it('refuses a refused type before sending, and shows a disguised executable as rejected with the reason', async () => {
    // prepare
    const presigns: string[] = [];
    owner.on('request', (request) => {
      if (request.url().endsWith('/api/uploads')) presigns.push(request.url());
    });

    // act
    await owner.setInputFiles('#owner-upload-input', [{ name: 'drawing.svg', mimeType: 'image/svg+xml', buffer: SVG }]);
    await owner.locator('.upload-item[data-status="failed"]', { hasText: 'drawing.svg' }).waitFor(WAIT);
    const presignsForSvg = presigns.length;
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'invoice.pdf', mimeType: 'application/pdf', buffer: DISGUISED },
    ]);

    // assess
    expect(presignsForSvg).toBe(0);
    const rejected = fileRow(owner, 'invoice.pdf', 'rejected');
    await rejected.waitFor(WAIT);
    // In words, never a MIME type: an owner is not told about "application/x-elf".
    expect(await rejected.locator('.reason').textContent()).toBe('it is really a .elf file, not a PDF');
    // The live region speaks 50 ms after the last message (announce() gathers messages close
    // together), and the row may settle first: wait until the rejection has been said.
    await owner.waitForFunction(
      () => (globalThis as any).heard.join(' ').includes('invoice.pdf was rejected: '),
      undefined,
      WAIT,
    );
    const heard: string = (await owner.evaluate(() => (globalThis as any).heard)).join(' ');
    expect(heard).toContain('Quarterly report.pdf passed the checks.');
    expect(heard).toContain('red square.png passed the checks.');
    expect(heard).toContain('invoice.pdf was rejected: ');
    expect(heard).toContain('drawing.svg was not sent: ');
    await screenshot(owner, '03-rejected');
    await owner.getByRole('button', { name: 'Clear finished' }).click();
    expect(await owner.locator('.upload-item').count()).toBe(0);
  });

  it('refreshes an expiring session with the refresh token, without asking the owner to sign in again', async () => {
    // prepare: the stored session says its tokens expire now
    const refreshes: string[] = [];
    owner.on('request', (request) => {
      if (request.postData()?.includes('REFRESH_TOKEN_AUTH')) refreshes.push(request.url());
    });
    await owner.evaluate(() => {
      const storage = (globalThis as any).sessionStorage;
      const session = JSON.parse(storage.getItem('docdrop.session'));
      storage.setItem('docdrop.session', JSON.stringify({ ...session, expiresAt: Date.now() }));
    });

    // act
    await owner.reload();
    await fileRow(owner, 'Quarterly report.pdf', 'clean').waitFor(WAIT);

    // assess
    expect(refreshes.length).toBeGreaterThanOrEqual(1);
    const expiresAt = await owner.evaluate(
      () => JSON.parse((globalThis as any).sessionStorage.getItem('docdrop.session')).expiresAt,
    );
    expect(expiresAt).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it('sets a profile picture, which comes back cleaned as a 400 x 400 image', async () => {
    // act
    await owner.setInputFiles('#profile-photo-input', [{ name: 'me.png', mimeType: 'image/png', buffer: png }]);
    await owner.getByRole('status').filter({ hasText: 'Your picture was updated.' }).waitFor(WAIT);

    // assess
    const avatar = owner.getByRole('img', { name: 'Your picture' });
    await owner.waitForFunction(
      (img: any) => img.complete && img.naturalWidth > 0,
      await avatar.elementHandle(WAIT),
      WAIT,
    );
    expect(await avatar.evaluate((img: any) => [img.naturalWidth, img.naturalHeight])).toEqual([400, 400]);
  });

  it('lays the Files view out for 1280 px: dates on one line, reasons in two at most, "Your files" said once', async () => {
    // act: the view as it is, with a rejected file and three that passed
    await owner.getByRole('button', { name: 'Files', exact: true }).click();
    const lineCounts = await owner.evaluate(() => {
      const document = (globalThis as any).document;
      const lines = (element: any) => {
        const height = element.getBoundingClientRect().height;
        return Math.round(height / Number.parseFloat((globalThis as any).getComputedStyle(element).lineHeight));
      };
      return {
        // An inline element has one box per line it takes.
        dates: [...document.querySelectorAll('table.files td.date time')].map(
          (time: any) => time.getClientRects().length,
        ),
        reasons: [...document.querySelectorAll('table.files p.reason')].map(lines),
        // The table fits its box: no column (the actions last) pushed out of sight.
        overflow: (() => {
          const box = document.querySelector('#files-panel .table-scroll');
          return box.scrollWidth - box.clientWidth;
        })(),
        actionRows: [...document.querySelectorAll('table.files td .actions')].map((actions: any) => {
          const tops = new Set(
            [...actions.children].map((button: any) => Math.round(button.getBoundingClientRect().top)),
          );
          return tops.size;
        }),
      };
    });
    const saidYourFiles = await owner.locator('#files-panel').getByText('Your files', { exact: true }).count();

    // assess
    expect(lineCounts.dates.length).toBeGreaterThanOrEqual(3);
    expect(lineCounts.dates.every((count) => count === 1)).toBe(true);
    expect(lineCounts.reasons).toHaveLength(1);
    expect(lineCounts.reasons[0]).toBeLessThanOrEqual(2);
    expect(lineCounts.actionRows.every((rows) => rows === 1)).toBe(true);
    expect(lineCounts.overflow).toBeLessThanOrEqual(0);
    expect(saidYourFiles).toBe(1);
    await screenshot(owner, '03a-files-1280px');
  });

  it('switches the Files view to a gallery of thumbnails and kinds, remembered by this browser across a reload', async () => {
    // act
    await owner.getByRole('button', { name: 'Gallery' }).click();
    const cards = owner.locator('ul.gallery li.gallery-item');
    await cards.nth(2).waitFor(WAIT);
    const image = owner.locator('li.gallery-item', { hasText: 'red square.png' }).locator('img');
    await owner.waitForFunction(
      (img: any) => img.complete && img.naturalWidth > 0,
      await image.elementHandle(WAIT),
      WAIT,
    );
    const kinds = await owner.locator('li.gallery-item .file-icon').allTextContents();
    await screenshot(owner, '03c-files-gallery');
    await owner.reload();
    await owner.locator('ul.gallery li.gallery-item').nth(2).waitFor(WAIT);
    const afterReload = {
      pressed: await owner.getByRole('button', { name: 'Gallery' }).getAttribute('aria-pressed'),
      tableShown: await owner.locator('table.files').isVisible(),
    };
    const rejectedCard = owner.locator('li.gallery-item[data-status="rejected"]', { hasText: 'invoice.pdf' });
    const rejectedReason = await rejectedCard.locator('.reason').textContent();
    await owner.getByRole('button', { name: 'List' }).click();

    // assess
    expect(await cards.count()).toBe(0);
    expect(kinds.sort()).toEqual(['PDF', 'PDF']);
    expect(afterReload).toEqual({ pressed: 'true', tableShown: false });
    expect(rejectedReason).toBe('it is really a .elf file, not a PDF');
    expect(await owner.evaluate(() => (globalThis as any).localStorage.getItem('docdrop.filesLayout'))).toBe('list');
    await fileRow(owner, 'red square.png', 'clean').waitFor(WAIT);
  });

  it('fits the portal into a 360 px wide screen, its header in three rows', async () => {
    // act
    await owner.setViewportSize({ width: 360, height: 800 });
    const headerRows = await owner.evaluate(() => {
      const header = (globalThis as any).document.querySelector('header.top');
      const controls = [...header.querySelectorAll('h1, nav button, .profile label, .sign-out')];
      // A row is the controls whose middles are within a few pixels of each other.
      const middles = controls
        .map((control: any) => {
          const box = control.getBoundingClientRect();
          return box.top + box.height / 2;
        })
        .sort((a: number, b: number) => a - b);
      return middles.filter((middle: number, index: number) => index === 0 || middle - middles[index - 1] > 6).length;
    });

    const tabsInView = await owner.evaluate(() =>
      [...(globalThis as any).document.querySelectorAll('header.top nav button')].every((tab: any) => {
        const box = tab.getBoundingClientRect();
        return box.left >= 0 && box.right <= 360;
      }),
    );

    // assess
    expect(headerRows).toBeLessThanOrEqual(3);
    expect(tabsInView).toBe(true);
    expect(await owner.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await screenshot(owner, '03b-portal-360px');
    await owner.setViewportSize({ width: 1280, height: 900 });
  });

  it('creates an upload link with a QR code', async () => {
    // act
    await owner.getByRole('button', { name: 'Upload links' }).click();
    await owner.getByLabel('Label (who or what it is for)').fill('Tax documents 2026');
    await owner.getByLabel('Number of files').fill('3');
    await owner.getByLabel('PDFs with scripts or attachments').selectOption({ label: 'Refuse' });
    await owner.getByRole('button', { name: 'Create link' }).click();
    await owner.getByRole('heading', { name: 'Link for Tax documents 2026' }).waitFor(WAIT);

    // assess
    expect(await unlabelledControls(owner)).toEqual([]);
    linkUrl = await owner.locator('#created-link-url').inputValue();
    expect(linkUrl).toMatch(new RegExp(`^${webUrl}/u/#[\\w.-]{40,}$`));
    await owner.getByRole('button', { name: 'Copy link' }).click();
    await owner.getByText('Copied.').waitFor(WAIT);
    expect(await owner.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe(linkUrl);
    const qr = owner.getByRole('img', { name: /QR code/ });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    const row = owner.locator('tr[data-state="active"]', { hasText: 'Tax documents 2026' });
    await row.waitFor(WAIT);
    expect(await row.locator('.link-pdf-policy').innerText()).toBe('Refuses PDFs with scripts or attachments');
    await screenshot(owner, '04-link-created');
  });

  it('lets a client on a phone send a file through the link and get a receipt', async () => {
    // prepare: a phone-sized second context, nothing shared with the owner's
    clientContext = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    client = await clientContext.newPage();
    watch(client, 'drop page');
    const apiRequests: { url: string; token?: string }[] = [];
    client.on('request', (request) => {
      if (request.url().includes('/api/'))
        apiRequests.push({ url: request.url(), token: request.headers()['x-upload-token'] });
    });

    // act
    const response = await client.goto(linkUrl);
    await client.getByRole('heading', { name: 'Tax documents 2026' }).waitFor(WAIT);
    expect(await unlabelledControls(client)).toEqual([]);
    await screenshot(client, '05-drop-page');
    // A phone has nothing to drag from: it is offered the picker alone (a desktop gets both, see above).
    expect(await client.locator('.dropzone').innerText()).not.toMatch(/drag/i);
    expect(await client.getByText('Choose files').isVisible()).toBe(true);
    await client.setInputFiles('#drop-input', [clientFile]);
    const receipt = client.getByRole('definition').filter({ hasText: /^[0-9a-f]{64}$/ });
    await receipt.waitFor(WAIT);
    // The page follows the file past "being checked" to the checks' decision, without a reload.
    const delivered = client.locator('.upload-item[data-status="clean"]', { hasText: clientFile.name });
    await delivered.waitFor(WAIT);

    // assess
    expect(await delivered.locator('.status').textContent()).toBe('Received; passed the checks and delivered');
    expect(response?.headers()['content-security-policy']).toContain("connect-src 'self'");
    expect(await receipt.textContent()).toBe(sha256(clientFile.buffer));
    expect(await client.getByTestId('uploads-left').textContent()).toBe('2 files');
    const token = linkUrl.split('#')[1];
    expect(apiRequests.length).toBeGreaterThan(0);
    for (const request of apiRequests) {
      expect(request.url).not.toContain(token);
      expect(request.token).toBe(token);
    }
    const [saved] = await Promise.all([
      client.waitForEvent('download', WAIT),
      client.getByRole('button', { name: 'Save receipts' }).click(),
    ]);
    const receiptText = readFileSync((await saved.path()) as string, 'utf8');
    expect(receiptText).toContain(
      `${clientFile.name}  ${clientFile.buffer.length} bytes  SHA-256 ${sha256(clientFile.buffer)}`,
    );
    expect(await client.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
    await screenshot(client, '06-drop-receipt');
  });

  it('shows the owner the file under its link, and downloads the same bytes', async () => {
    // act
    await owner.getByRole('button', { name: 'Files sent through Tax documents 2026' }).click();
    const row = fileRow(owner, clientFile.name, 'clean');
    await row.waitFor(WAIT);
    const [download] = await Promise.all([
      owner.waitForEvent('download', WAIT),
      row.getByRole('button', { name: `Download ${clientFile.name}` }).click(),
    ]);
    const saved = readFileSync((await download.path()) as string);

    // assess
    expect(await owner.locator('#files-source').inputValue()).not.toBe('all');
    expect(await owner.locator('table.files tbody tr').count()).toBe(1);
    expect(await row.textContent()).toContain('Link: Tax documents 2026');
    expect(download.suggestedFilename()).toBe(clientFile.name);
    expect(sha256(saved)).toBe(sha256(clientFile.buffer));
    await screenshot(owner, '07-files-by-link');
  });

  it('revokes the link, after which the drop page refuses before any upload', async () => {
    // act
    await owner.getByRole('button', { name: 'Upload links' }).click();
    await owner.getByRole('button', { name: 'Revoke Tax documents 2026' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await owner.locator('tr[data-state="revoked"]', { hasText: 'Tax documents 2026' }).waitFor(WAIT);
    expectedFailures.push(
      /drop page: Failed to load resource: the server responded with a status of 410 .*\/api\/drop\)$/,
    );
    await client.reload();

    // assess
    await client.getByRole('heading', { name: 'This link cannot be used' }).waitFor(WAIT);
    expect(await client.getByRole('alert').textContent()).toContain('withdrawn');
    expect(await client.locator('#drop-input').count()).toBe(0);
    await screenshot(client, '08-drop-revoked');
  });

  it('sorts the file list by name, and deletes a file only after the owner confirms', async () => {
    // prepare
    await owner.getByRole('button', { name: 'Files', exact: true }).click();
    await owner.locator('#files-source').selectOption('all');
    const names = () => owner.locator('table.files tbody td.name').allTextContents();

    // act: sort by name
    await owner.getByRole('button', { name: 'Name' }).click();
    const sorted = await names();
    // act: delete, first cancelled with Escape, then confirmed
    const row = owner.locator('table.files tr', { hasText: 'invoice.pdf' });
    await row.getByRole('button', { name: 'Delete invoice.pdf' }).click();
    await owner.getByRole('dialog').waitFor(WAIT);
    await owner.keyboard.press('Escape');
    const stillThere = await row.count();
    await row.getByRole('button', { name: 'Delete invoice.pdf' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached', ...WAIT });

    // assess
    expect(sorted).toEqual([...sorted].sort((a, b) => a.localeCompare(b)));
    expect(sorted).toHaveLength(4);
    expect(stillThere).toBe(1);
    expect(await names()).not.toContain('invoice.pdf');
  });

  it('gives a one-file link its use back when the connection breaks mid-send, so the client sends again', async () => {
    // prepare: a one-file link, and the client's first PUT to storage cut off (a dropped
    // connection is a fault of the network, which no emulator makes: the browser makes it)
    const oneUse = await oneFileLink('Bank statement');
    await client.goto(oneUse);
    await client.getByRole('heading', { name: 'Bank statement' }).waitFor(WAIT);
    let cut = 0;
    await client.route(
      (url) => url.pathname.includes('/incoming/'),
      async (route) => {
        if (route.request().method() !== 'PUT' || cut > 0) return route.continue();
        cut += 1;
        await route.abort('connectionreset');
      },
    );
    expectedFailures.push(/drop page: Failed to load resource: net::ERR_CONNECTION_RESET/);
    const statement = { name: 'statement.txt', mimeType: 'text/plain', buffer: Buffer.from('balance 1200\n') };

    // act: the first try breaks, the second is the same file again
    await client.setInputFiles('#drop-input', [statement]);
    await client.locator('p.reason', { hasText: 'The connection broke while sending. Try again.' }).waitFor(WAIT);
    const leftAfterBreak = await client.getByTestId('uploads-left').textContent();
    await screenshot(client, '09-drop-connection-broke');
    await client.setInputFiles('#drop-input', [statement]);
    const receipt = client.getByRole('definition').filter({ hasText: /^[0-9a-f]{64}$/ });
    await receipt.waitFor(WAIT);

    // assess: the broken try held the link's only use and gave it back; the retry spent it
    expect(cut).toBe(1);
    expect(leftAfterBreak).toBe('1 file');
    expect(await receipt.textContent()).toBe(sha256(statement.buffer));
    await client.unroute((url) => url.pathname.includes('/incoming/'));
    await screenshot(client, '10-drop-sent-after-a-broken-connection');
  });

  it('tells a client whose link has no uses left, on the next visit, before any upload', async () => {
    // prepare: a one-file link, used once
    const oneUse = await oneFileLink('One payslip');
    await client.goto(oneUse);
    await client.setInputFiles('#drop-input', [
      { name: 'payslip.txt', mimeType: 'text/plain', buffer: Buffer.from('net pay 1000\n') },
    ]);
    await client
      .getByRole('definition')
      .filter({ hasText: /^[0-9a-f]{64}$/ })
      .waitFor(WAIT);
    expectedFailures.push(
      /drop page: Failed to load resource: the server responded with a status of 410 .*\/api\/drop\)$/,
    );

    // act
    await client.reload();

    // assess
    await client.getByRole('heading', { name: 'This link cannot be used' }).waitFor(WAIT);
    expect(await client.getByRole('alert').textContent()).toContain('used as many times as allowed');
  });

  it('follows a disguised file on the drop page to its refusal, with the reason in words, without a reload', async () => {
    // prepare
    await client.goto(await oneFileLink('Signed contract'));
    await client.getByRole('heading', { name: 'Signed contract' }).waitFor(WAIT);
    await client.evaluate(() => {
      (globalThis as any).sameDocument = true;
    });

    // act
    await client.setInputFiles('#drop-input', [
      { name: 'contract.pdf', mimeType: 'application/pdf', buffer: DISGUISED },
    ]);
    const refused = client.locator('.upload-item[data-status="rejected"]', { hasText: 'contract.pdf' });
    await refused.waitFor(WAIT);

    // assess
    expect(await refused.locator('.status').textContent()).toBe('Received, but refused by the checks');
    expect(await refused.locator('.reason').textContent()).toBe('it is really a .elf file, not a PDF');
    expect(await client.evaluate(() => (globalThis as any).sameDocument)).toBe(true);
    await screenshot(client, '10b-drop-refused');
  });

  it('tells a client with a mangled link that it is not valid, before any upload', async () => {
    // prepare
    expectedFailures.push(
      /drop page: Failed to load resource: the server responded with a status of 401 .*\/api\/drop\)$/,
    );

    // act
    await client.goto(`${webUrl}/u/#${'x'.repeat(20)}.${'y'.repeat(43)}`);

    // assess
    await client.getByRole('heading', { name: 'This link cannot be used' }).waitFor(WAIT);
    expect(await client.getByRole('alert').textContent()).toContain('not valid');
    expect(await client.locator('#drop-input').count()).toBe(0);
  });

  it('ends a session whose refresh token is refused and asks the owner to sign in again', async () => {
    // prepare: an expiring session with a refresh token Cognito does not know
    await owner.evaluate(() => {
      const storage = (globalThis as any).sessionStorage;
      const session = JSON.parse(storage.getItem('docdrop.session'));
      storage.setItem(
        'docdrop.session',
        JSON.stringify({ ...session, refreshToken: 'not-a-token', expiresAt: Date.now() }),
      );
    });
    expectedFailures.push(
      /^portal: Failed to load resource: the server responded with a status of 400 .*\(http:\/\/127\.0\.0\.1:\d+\/\)$/,
    );

    // act
    await owner.reload();

    // assess
    await owner.getByRole('heading', { name: 'Sign in to docdrop' }).waitFor(WAIT);
    const notice = owner.getByRole('status');
    expect(await notice.textContent()).toBe('Your session has ended. Sign in again.');
    // A warning, not dressed as a success: the amber of --warn, not the green of --ok.
    const warningBorder = await notice.evaluate(
      (element: any) => (globalThis as any).getComputedStyle(element).borderLeftColor,
    );
    expect(await notice.getAttribute('class')).toContain('notice-warning');
    expect(warningBorder).toBe('rgb(138, 83, 0)');
    expect(await owner.evaluate(() => (globalThis as any).sessionStorage.getItem('docdrop.session'))).toBeNull();
  });

  it('logged no CSP violation, script error or unexpected failed request on any page', () => {
    expect(problems).toEqual([]);
  });
});
