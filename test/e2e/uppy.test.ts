import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB, planParts } from '../../contracts/limits';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { launchChromium } from './browser';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { chromiumPath } = inject('browser');
const WAIT = { timeout: 120_000 };
const LARGE_BYTES = 150 * MiB;

let own: ConfiguredSystem;
let integrator: Server;
let integratorOrigin: string;
let browser: Browser;
let linkToken: string;
let scratch: string;

/** A PDF by its first bytes (what the validator reads), carrying `size` bytes in all, different each run. */
function pdfOfSize(size: number): Buffer {
  const head = Buffer.from('%PDF-1.4\n%');
  const tail = Buffer.from('\n%%EOF\n');
  return Buffer.concat([head, randomBytes(size - head.length - tail.length), tail]);
}

async function newLink(body: Record<string, unknown>): Promise<string> {
  const link = await own.call('POST', '/api/links', {
    token: own.owner.idToken,
    body: { label: `Uppy ${randomUUID().slice(0, 8)}`, ...body },
  });
  expect(link.status).toBe(201);
  return link.body.token;
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The integrator's page: web/uppy-example.ts with the real @uppy/core and @uppy/aws-s3, bundled as an app would. */
async function serveIntegratorPage(): Promise<Server> {
  const bundle = await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'web/uppy-example.ts')],
    tsconfig: join(ROOT, 'web/tsconfig.json'),
    bundle: true,
    format: 'esm',
    target: ['chrome111'],
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.contents ?? new Uint8Array();
  const html =
    '<!doctype html><title>An app with Uppy</title><input id="files" type="file" multiple><button id="pause">Pause</button><button id="resume">Resume</button><button id="cancel">Cancel</button><ol id="outcomes"></ol><script type="module" src="/uppy.js"></script>';
  const server = createServer((request, response) => {
    const isScript = request.url === '/uppy.js';
    response.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html; charset=utf-8' });
    response.end(isScript ? script : html);
  });
  return new Promise((ready) => server.listen(0, '127.0.0.1', () => ready(server)));
}

/** The page through a link (its token in the fragment), or as the owner when `token` is null. */
async function openIntegratorPage(token: string | null = linkToken): Promise<{ page: Page; problems: string[] }> {
  const problems: string[] = [];
  const page = await (await browser.newContext()).newPage();
  if (token === null) {
    // Runs in the page, where sessionStorage is (this file is type-checked without the DOM's types).
    const keep = (idToken: string) => (globalThis as any).sessionStorage.setItem('docdrop-id-token', idToken);
    await page.addInitScript(keep, own.owner.idToken);
  }
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(
    `${integratorOrigin}/?api=${encodeURIComponent(own.local.apiUrl)}${token === null ? '' : `#${token}`}`,
  );
  return { page, problems };
}

/** What the owner downloads of a file once the validator has released it. */
async function ownerDownloads(fileId: string): Promise<{ status: string; bytes: Uint8Array }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = await own.call('GET', '/api/files?limit=100', { token: own.owner.idToken });
    const file = list.body.items?.find((item: { fileId: string }) => item.fileId === fileId);
    if (file && file.status !== 'pending') {
      const download = await own.call('GET', `/api/files/${fileId}/download`, { token: own.owner.idToken });
      const bytes =
        download.status === 200
          ? new Uint8Array(await (await fetch(download.body.url)).arrayBuffer())
          : new Uint8Array();
      return { status: file.status, bytes };
    }
    if (Date.now() > deadline) throw new Error(`file ${fileId} still ${file?.status ?? 'missing'} after 60 s`);
    await new Promise((resume) => setTimeout(resume, 200));
  }
}

beforeAll(async () => {
  integrator = await serveIntegratorPage();
  integratorOrigin = `http://127.0.0.1:${(integrator.address() as AddressInfo).port}`;
  // A system of its own: the shared one's owner quota is a few MB, and this page's origin must be let in.
  own = await startConfiguredSystem('uppy', { webOrigins: [integratorOrigin] });
  linkToken = await newLink({ maxUploads: 5, maxBytes: 200 * MiB });
  browser = await launchChromium(chromiumPath);
  scratch = mkdtempSync(join(tmpdir(), 'docdrop-uppy-'));
});

afterAll(async () => {
  await browser?.close();
  await own?.stop();
  await new Promise((done) => integrator?.close(done));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('Uppy 5 (@uppy/core + @uppy/aws-s3) on an integrator’s page on a second origin', () => {
  it('sends a small file in one signed PUT, and the owner downloads the same bytes', async () => {
    // prepare
    const bytes = pdfOfSize(200 * 1024);
    const path = join(scratch, 'small.pdf');
    writeFileSync(path, bytes);
    const { page, problems } = await openIntegratorPage();
    const puts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT') puts.push(new URL(request.url()).search);
    });

    // act
    await page.setInputFiles('#files', path);
    const outcome = JSON.parse((await page.locator('#outcomes li').first().textContent(WAIT)) ?? '{}');

    // assess: one PUT, not a part; docdrop's receipt reached Uppy; the owner gets the bytes sent
    const sha256 = createHash('sha256').update(bytes).digest('base64');
    expect(outcome).toMatchObject({ name: 'small.pdf', ok: true, receipt: { uploadId: expect.any(String), sha256 } });
    expect(puts).toHaveLength(1);
    expect(puts[0]).not.toContain('partNumber=');
    const downloaded = await ownerDownloads(outcome.receipt.uploadId);
    expect(downloaded.status).toBe('clean');
    expect(sha256Hex(downloaded.bytes)).toBe(sha256Hex(bytes));
    expect(problems).toEqual([]);
  });

  it('sends a 150 MB file in docdrop’s planned parts, and the owner downloads the same bytes', async () => {
    // prepare
    const bytes = pdfOfSize(LARGE_BYTES);
    const path = join(scratch, 'large.pdf');
    writeFileSync(path, bytes);
    const { page, problems } = await openIntegratorPage();
    const partPuts = new Set<string>();
    page.on('requestfinished', (request) => {
      const partNumber = new URL(request.url()).searchParams.get('partNumber');
      if (request.method() === 'PUT' && partNumber) partPuts.add(partNumber);
    });

    // act
    await page.setInputFiles('#files', path);
    const outcome = JSON.parse((await page.locator('#outcomes li').first().textContent(WAIT)) ?? '{}');

    // assess: every planned part went to storage once signed; complete answered; same bytes downloaded
    const partCount = planParts(LARGE_BYTES).partCount;
    expect(outcome).toMatchObject({
      name: 'large.pdf',
      ok: true,
      receipt: { uploadId: expect.any(String), partsSha256: expect.stringMatching(new RegExp(`=-${partCount}$`)) },
    });
    expect(partPuts.size).toBe(planParts(LARGE_BYTES).partCount);
    const downloaded = await ownerDownloads(outcome.receipt.uploadId);
    expect(downloaded.status).toBe('clean');
    expect(downloaded.bytes.length).toBe(LARGE_BYTES);
    expect(sha256Hex(downloaded.bytes)).toBe(sha256Hex(bytes));
    expect(problems).toEqual([]);
  }, 180_000);

  it('reports a refusal to upload-error in docdrop’s own words', async () => {
    // prepare: a link that takes at most 1 MiB
    const token = await newLink({ maxBytes: MiB });
    const path = join(scratch, 'too-big.pdf');
    const bytes = pdfOfSize(2 * MiB);
    writeFileSync(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('base64');
    const refusal = await own.call('POST', '/api/drop/uploads', {
      uploadToken: token,
      body: { fileName: 'too-big.pdf', contentType: 'application/pdf', size: bytes.length, sha256 },
    });
    const { page } = await openIntegratorPage(token);

    // act
    await page.setInputFiles('#files', path);
    const outcome = JSON.parse((await page.locator('#outcomes li').first().textContent(WAIT)) ?? '{}');

    // assess
    expect(refusal.status).toBe(413);
    expect(outcome).toEqual({ name: 'too-big.pdf', ok: false, message: refusal.body.error.message });
  });

  it('aborts a multipart upload cancelled in Uppy, giving a one-use link its use back', async () => {
    // prepare: a one-use link; a 64 MiB upload under way, one part sent
    const token = await newLink({ maxUploads: 1, maxBytes: 100 * MiB });
    const large = join(scratch, 'cancelled.pdf');
    writeFileSync(large, pdfOfSize(64 * MiB));
    const small = join(scratch, 'instead.pdf');
    const smallBytes = pdfOfSize(4096);
    writeFileSync(small, smallBytes);
    const { page } = await openIntegratorPage(token);
    const firstPart = page.waitForEvent('requestfinished', {
      predicate: (request) => request.method() === 'PUT' && request.url().includes('partNumber='),
      ...WAIT,
    });
    const aborted = page.waitForResponse(
      (response) => response.request().method() === 'DELETE' && /\/api\/drop\/uploads\/[^/]+$/.test(response.url()),
      WAIT,
    );
    await page.setInputFiles('#files', large);
    await firstPart;

    // act
    await page.getByRole('button', { name: 'Cancel' }).click();
    const abort = await aborted;
    await page.setInputFiles('#files', small);
    const outcome = JSON.parse((await page.locator('#outcomes li').first().textContent(WAIT)) ?? '{}');

    // assess: the abort answered 204, and the link's one use went to the next file
    expect(abort.status()).toBe(204);
    expect(outcome).toMatchObject({ name: 'instead.pdf', ok: true });
    const downloaded = await ownerDownloads(outcome.receipt.uploadId);
    expect(sha256Hex(downloaded.bytes)).toBe(sha256Hex(smallBytes));
  });

  it('resumes a paused multipart upload from the parts docdrop lists, sending none of them again', async () => {
    // prepare: a 64 MiB upload (8 parts), paused once two parts are in storage
    const bytes = pdfOfSize(64 * MiB);
    const path = join(scratch, 'paused.pdf');
    writeFileSync(path, bytes);
    const { page, problems } = await openIntegratorPage();
    const stored: string[] = [];
    const sentAfterList: string[] = [];
    let listAnswered = false;
    page.on('requestfinished', async (request) => {
      const partNumber = new URL(request.url()).searchParams.get('partNumber');
      if (request.method() !== 'PUT' || !partNumber) return;
      if (listAnswered) sentAfterList.push(partNumber);
      if ((await request.response())?.status() === 200) stored.push(partNumber);
    });
    const twoParts = new Promise<void>((enough) => {
      page.on('requestfinished', () => stored.length >= 2 && enough());
    });
    await page.setInputFiles('#files', path);
    await twoParts;
    await page.getByRole('button', { name: 'Pause' }).click();
    const listed = page.waitForResponse(
      (response) => response.request().method() === 'GET' && /\/api\/drop\/uploads\/[^/]+\/parts$/.test(response.url()),
      WAIT,
    );

    // act
    await page.getByRole('button', { name: 'Resume' }).click();
    const list = await listed;
    const held = ((await list.json()) as { parts: { partNumber: number }[] }).parts.map((part) =>
      String(part.partNumber),
    );
    listAnswered = true;
    const outcome = JSON.parse((await page.locator('#outcomes li').first().textContent(WAIT)) ?? '{}');

    // assess: the list was asked and named the parts stored before the pause (a PUT cut by the
    // pause may still have landed, so the list, not the page, says what is held); none of them
    // was sent again, the rest were, and the bytes are whole
    expect(list.status()).toBe(200);
    expect(outcome).toMatchObject({ name: 'paused.pdf', ok: true });
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(sentAfterList.filter((part) => held.includes(part))).toEqual([]);
    expect([...new Set([...held, ...sentAfterList])].sort((a, b) => Number(a) - Number(b))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
    ]);
    const downloaded = await ownerDownloads(outcome.receipt.uploadId);
    expect(sha256Hex(downloaded.bytes)).toBe(sha256Hex(bytes));
    expect(problems).toEqual([]);
  });

  it('sends as the owner, with the ID token the page holds, in one PUT and in parts', async () => {
    // prepare
    const small = pdfOfSize(100 * 1024);
    const large = pdfOfSize(40 * MiB);
    writeFileSync(join(scratch, 'owner-small.pdf'), small);
    writeFileSync(join(scratch, 'owner-large.pdf'), large);
    const { page, problems } = await openIntegratorPage(null);
    const ownerRoutes = new Set<string>();
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/api/')) ownerRoutes.add(`${request.method()} ${path.replace(/\/[\w-]{20,}/, '/{id}')}`);
    });

    // act
    await page.setInputFiles('#files', [join(scratch, 'owner-small.pdf'), join(scratch, 'owner-large.pdf')]);
    await page.locator('#outcomes li').nth(1).waitFor(WAIT);
    const outcomes = (await page.locator('#outcomes li').allTextContents()).map((line) => JSON.parse(line));

    // assess: the owner's routes only, both files in the owner's drive with the bytes sent
    expect([...ownerRoutes].sort()).toEqual([
      'POST /api/uploads',
      'POST /api/uploads/{id}/complete',
      'POST /api/uploads/{id}/confirm',
      'POST /api/uploads/{id}/parts',
    ]);
    const byName = Object.fromEntries(outcomes.map((outcome) => [outcome.name, outcome]));
    for (const [name, bytes] of [
      ['owner-small.pdf', small],
      ['owner-large.pdf', large],
    ] as const) {
      expect(byName[name]).toMatchObject({ ok: true });
      const downloaded = await ownerDownloads(byName[name].receipt.fileId ?? byName[name].receipt.uploadId);
      expect(sha256Hex(downloaded.bytes)).toBe(sha256Hex(bytes));
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
