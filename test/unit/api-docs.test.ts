import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeKey, routes } from '#contracts/routes';
import { API_DOCS_PATH, renderApiDocs } from '../../scripts/api-docs';

describe('docs/api.md', () => {
  it('is what `npm run docs:api` writes from the contracts now', () => {
    // prepare
    const expected = renderApiDocs();

    // act
    const written = readFileSync(API_DOCS_PATH, 'utf8');

    // assess: run `npm run docs:api` after changing a route or an operation
    expect(written).toBe(expected);
  });

  it('has a section for every route with who may call it', () => {
    // prepare
    const docs = renderApiDocs();

    // act / assess
    for (const route of routes) expect(docs, routeKey(route)).toContain(`### \`${route.method} ${route.path}\``);
    expect(docs).toContain('a client holding an upload link (`X-Upload-Token: <token>`)');
  });
});
