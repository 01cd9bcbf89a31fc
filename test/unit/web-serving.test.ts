import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '#contracts/web-security';
import { type LocalGateway, startGateway } from '../../local/gateway';
import { buildWeb } from '../../web/build';

const policy = contentSecurityPolicy({
  documents: new URL('http://127.0.0.1:4569/').origin,
  cognito: new URL('http://127.0.0.1:9229').origin,
});
let outDir: string;
let gateway: LocalGateway;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'docdrop-web-unit-'));
  await buildWeb(outDir);
  gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    handlers: new Map(),
    publicConfig: {},
    web: { root: outDir, contentSecurityPolicy: policy },
  });
}, 30_000);

afterAll(async () => {
  await gateway?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

describe('the web build and how the local gateway serves it', () => {
  it('writes the two pages and content-hashed assets, and no config.json', () => {
    expect(readdirSync(outDir).sort()).toEqual(['assets', 'index.html', 'u']);
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((name) => /^portal-[A-Z0-9]{8}\.js$/.test(name))).toBe(true);
    expect(assets.some((name) => /^drop-[A-Z0-9]{8}\.js$/.test(name))).toBe(true);
    expect(assets.some((name) => /^styles-[A-Z0-9]{8}\.css$/.test(name))).toBe(true);
    expect(assets.some((name) => /^part-hasher-[A-Z0-9]{8}\.js$/.test(name))).toBe(true);
  });

  it('has the policy allow only this origin (which serves the API), the bucket and Cognito', () => {
    expect(policy).toBe(
      "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data: blob: http://127.0.0.1:4569; " +
        "connect-src 'self' http://127.0.0.1:4569 http://127.0.0.1:9229; font-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    );
  });

  it('serves both pages with the policy and security headers, and no inline script or style', async () => {
    for (const path of ['/', '/u/']) {
      // act
      const response = await fetch(`${gateway.url}${path}`);
      const html = await response.text();

      // assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(policy);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\sstyle=|<style|\son\w+=/i);
    }
  });

  it('serves the assets a page names as immutable, with their type', async () => {
    // prepare
    const html = await (await fetch(`${gateway.url}/`)).text();
    const script = /src="(\/assets\/portal-[^"]+\.js)"/.exec(html)?.[1];

    // act
    const response = await fetch(`${gateway.url}${script}`);

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('redirects /u to /u/ and refuses anything outside the build', async () => {
    const redirect = await fetch(`${gateway.url}/u`, { redirect: 'manual' });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/u/');
    for (const path of [
      '/assets/..%2Findex.html',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/index.html',
      '/u/x',
      '/config',
    ]) {
      expect((await fetch(`${gateway.url}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${gateway.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
