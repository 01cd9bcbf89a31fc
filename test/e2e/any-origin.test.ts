import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DEMO_OWNER, type LocalPool, signIn } from '../../local/owners';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';

const { webUrl, chromiumPath, integratorPort } = inject('browser');
const WAIT = { timeout: 20_000 };
// The same system by another name for this machine: a different origin to the browser.
const numericUrl = webUrl.replace('//localhost:', '//127.0.0.1:');
const integratorOrigin = `http://127.0.0.1:${integratorPort}`;
const label = `Any origin ${randomUUID().slice(0, 8)}`;

const pdf = () =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n% ${randomUUID()}\n%%EOF\n`,
  );
const uploadRequest = (bytes: Buffer) => ({
  fileName: 'statement.pdf',
  contentType: 'application/pdf',
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('base64'),
});

let browser: Browser;
let linkToken: string;
let idToken: string;
let stranger: Server;
let integrator: Server;
const problems: string[] = [];

/** A bare page with no policy of its own, as an integrator's app (or Uppy's dashboard) would be. */
function servePage(port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Someone else’s app</title><p>hello</p>');
  });
  return new Promise((ready) => server.listen(port, '127.0.0.1', () => ready(server)));
}

async function openPage(url: string, name: string, expected: RegExp[] = []): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (message) => {
    const line = `${name}: ${message.text()} (${message.location().url})`;
    if (message.type() === 'error' && !expected.some((pattern) => pattern.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  await page.goto(url);
  return page;
}

async function api(path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  const response = await fetch(`${webUrl}${path}`, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  browser = await launchChromium(chromiumPath);
  const pool = (await api('/config.json')).body as unknown as LocalPool;
  ({ idToken } = await signIn(pool, DEMO_OWNER));
  const link = await api('/api/links', {
    method: 'POST',
    headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ label, maxUploads: 10 }),
  });
  linkToken = link.body.token as string;
  integrator = await servePage(integratorPort);
  stranger = await servePage(0);
});

// Each test answers for its own pages.
beforeEach(() => {
  problems.length = 0;
});

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => integrator?.close(done));
  await new Promise((done) => stranger?.close(done));
});

describe('the local system at whatever address it is opened by', () => {
  it('tells the web app to call the API on its own origin', async () => {
    // act
    const { body } = await api('/config.json');

    // assess
    expect(body.apiUrl).toBe('');
  });

  it('delivers a client file from the drop page opened at 127.0.0.1 instead of localhost', async () => {
    // prepare
    const page = await openPage(`${numericUrl}/u/#${linkToken}`, 'drop at 127.0.0.1');
    await page.getByRole('heading', { name: label }).waitFor(WAIT);
    const put = page.waitForResponse((response) => response.request().method() === 'PUT', WAIT);
    const confirmed = page.waitForResponse(
      (response) => /\/api\/drop\/uploads\/[^/]+\/confirm$/.test(response.url()),
      WAIT,
    );

    // act
    await page.setInputFiles('#drop-input', [{ name: 'statement.pdf', mimeType: 'application/pdf', buffer: pdf() }]);

    // assess: every call went to the origin the page was opened at, and the bucket took the PUT
    expect((await put).status()).toBe(200);
    const confirm = await confirmed;
    expect(confirm.status()).toBe(200);
    expect(new URL(confirm.url()).origin).toBe(numericUrl);
    expect(problems).toEqual([]);
  });

  it('signs the owner in and fills the portal opened at 127.0.0.1', async () => {
    // prepare
    const page = await openPage(numericUrl, 'portal at 127.0.0.1', [NO_PROFILE_PHOTO_YET]);
    await page.getByLabel('E-mail').fill(DEMO_OWNER.email);
    await page.getByLabel('Password').fill(DEMO_OWNER.password);
    const files = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/files', WAIT);

    // act
    await page.getByRole('button', { name: 'Sign in' }).click();

    // assess
    expect((await files).status()).toBe(200);
    await page.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
    expect(problems).toEqual([]);
  });
});

describe('pages on other origins (npm start -- --web-origin)', () => {
  /** What a page's own script gets: each status, or the browser's refusal (a CORS block is a TypeError). */
  const sendThroughLink = (page: Page, apiUrl: string, token: string, bytes: Buffer) =>
    page.evaluate(
      async ({ apiUrl, token, bytes, request }) => {
        const step = async (call: () => Promise<Response>) => {
          try {
            const response = await call();
            return { status: response.status, body: await response.text() };
          } catch (error) {
            return { refused: (error as Error).name };
          }
        };
        const headers = { 'x-upload-token': token, 'content-type': 'application/json' };
        const link = await step(() => fetch(`${apiUrl}/api/drop`, { headers }));
        const presign = await step(() =>
          fetch(`${apiUrl}/api/drop/uploads`, { method: 'POST', headers, body: JSON.stringify(request) }),
        );
        if (!('status' in presign) || presign.status !== 201) return { link, presign };
        const signed = JSON.parse(presign.body);
        const { 'content-length': _computed, ...putHeaders } = signed.headers;
        const put = await step(() =>
          fetch(signed.url, { method: 'PUT', headers: putHeaders, body: new Uint8Array(bytes) }),
        );
        const confirm = await step(() =>
          fetch(`${apiUrl}/api/drop/uploads/${signed.uploadId}/confirm`, { method: 'POST', headers }),
        );
        return { link, presign: { status: presign.status }, put, confirm };
      },
      { apiUrl, token, bytes: [...bytes], request: uploadRequest(bytes) },
    );

  it('lets a page on a listed origin call the API and PUT to the bucket', async () => {
    // prepare
    const page = await openPage(integratorOrigin, 'integrator');

    // act
    const steps = await sendThroughLink(page, webUrl, linkToken, pdf());

    // assess
    expect(steps.link).toMatchObject({ status: 200 });
    expect(steps.presign).toEqual({ status: 201 });
    expect(steps.put).toMatchObject({ status: 200 });
    expect(steps.confirm).toMatchObject({ status: 200 });
    expect(problems).toEqual([]);
  });

  it('refuses a page on any other origin, at the API and at the bucket', async () => {
    // prepare: a valid presigned URL, obtained outside any browser
    const strangerOrigin = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
    const page = await openPage(strangerOrigin, 'stranger', [/CORS policy/, /net::ERR_FAILED/]);
    const bytes = pdf();
    const presigned = await api('/api/drop/uploads', {
      method: 'POST',
      headers: { 'x-upload-token': linkToken, 'content-type': 'application/json' },
      body: JSON.stringify(uploadRequest(bytes)),
    });
    const { url, headers } = presigned.body as { url: string; headers: Record<string, string> };
    const { 'content-length': _computed, ...putHeaders } = headers;

    // act
    const steps = await sendThroughLink(page, webUrl, linkToken, bytes);
    const put = await page.evaluate(
      async ({ url, putHeaders, bytes }) => {
        try {
          return {
            status: (await fetch(url, { method: 'PUT', headers: putHeaders, body: new Uint8Array(bytes) })).status,
          };
        } catch (error) {
          return { refused: (error as Error).name };
        }
      },
      { url, putHeaders, bytes: [...bytes] },
    );
    const preflight = await fetch(`${webUrl}/api/drop`, {
      method: 'OPTIONS',
      headers: { origin: strangerOrigin, 'access-control-request-method': 'GET' },
    });
    // The same URL from outside a browser: it was valid, so the refusal above was the bucket's CORS.
    const direct = await fetch(url, { method: 'PUT', headers, body: bytes });

    // assess
    expect(steps).toEqual({ link: { refused: 'TypeError' }, presign: { refused: 'TypeError' } });
    expect(put).toEqual({ refused: 'TypeError' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(direct.status).toBe(200);
    expect(problems).toEqual([]);
  });
});
