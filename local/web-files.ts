import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { webSecurityHeaders } from '#contracts/web-security';

export interface WebApp {
  /** A folder written by `buildWeb` (web/build.ts). */
  readonly root: string;
  readonly contentSecurityPolicy: string;
}

const PAGES: Record<string, string> = { '/': 'index.html', '/u/': 'u/index.html' };
const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
// Built names only: a word, a content hash and an ending. Nothing else (no `..`) reaches the disk.
const ASSET = /^\/assets\/([\w-]+\.(js|css|svg))$/;

/**
 * Serves the built web app: the two pages (never cached, with the CSP and security headers)
 * and content-hashed assets (cached for a year). Answers false for paths it does not serve.
 */
export async function serveWebApp(app: WebApp, path: string, res: ServerResponse, head: boolean): Promise<boolean> {
  const headers = { ...webSecurityHeaders, 'content-security-policy': app.contentSecurityPolicy };
  if (path === '/u') {
    // The fragment (the link token) survives a redirect; the browser keeps it.
    res.writeHead(308, { ...headers, location: '/u/' });
    res.end();
    return true;
  }
  const page = PAGES[path];
  const asset = ASSET.exec(path);
  if (!page && !asset) return false;
  let body: Buffer;
  try {
    body = await readFile(join(app.root, page ?? `assets/${asset?.[1]}`));
  } catch {
    return false;
  }
  res.writeHead(200, {
    ...headers,
    'content-type': page ? 'text/html; charset=utf-8' : (CONTENT_TYPES[asset?.[2] as string] as string),
    'content-length': body.length,
    'cache-control': page ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  res.end(head ? undefined : body);
  return true;
}
