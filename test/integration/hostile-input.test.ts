import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, describeUpload, newOwner, type Owner, PDF, system } from '../support/harness';

/**
 * Hostile and malformed input on every route that takes a body, path or query: each answer
 * is a 4xx in the API's error shape, never a 5xx, and never a large echo of what was sent.
 */

/** A long, recognisable string: if any 64 characters of it come back, the input was echoed. */
const LONG = 'evil'.repeat(2_500);
const ECHO_PROBE = LONG.slice(0, 64);
/** Error bodies are a code and a sentence; anything much longer is carrying input back. */
const MAX_ERROR_BODY_CHARS = 2_048;

function expectRefusal(response: ApiResponse, status?: number, code?: string): void {
  expect(response.status, JSON.stringify(response.body)?.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  if (status !== undefined) expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  if (code !== undefined) expect(response.body.error.code).toBe(code);
  const text = JSON.stringify(response.body);
  expect(text.length).toBeLessThan(MAX_ERROR_BODY_CHARS);
  expect(text).not.toContain(ECHO_PROBE);
}

/** A nested JSON value deep enough to trouble a recursive parser, still under the 16 KiB body limit. */
const DEEP_OBJECT = `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}`;
const DEEP_ARRAY = `${'['.repeat(8_000)}${']'.repeat(8_000)}`;

interface BodyCase {
  readonly name: string;
  readonly rawBody: string;
  readonly status?: number;
  readonly code?: string;
  readonly contentType?: string;
}

const json = (value: unknown): string => JSON.stringify(value);

/** Malformed bodies that no route with a body schema may accept. */
const MALFORMED_BODIES: readonly BodyCase[] = [
  { name: 'truncated JSON', rawBody: '{"label": "x", ', status: 400, code: 'invalid_json' },
  { name: 'a trailing comma', rawBody: '{"label": "x",}', status: 400, code: 'invalid_json' },
  { name: 'single quotes', rawBody: "{'label': 'x'}", status: 400, code: 'invalid_json' },
  { name: 'not JSON at all', rawBody: 'label=x&size=1', status: 400, code: 'invalid_json' },
  { name: 'an empty body', rawBody: '', status: 400, code: 'invalid_body' },
  { name: 'a JSON array', rawBody: '[]', status: 400, code: 'invalid_body' },
  { name: 'an array of objects', rawBody: '[{"label":"x"}]', status: 400, code: 'invalid_body' },
  { name: 'JSON null', rawBody: 'null', status: 400, code: 'invalid_body' },
  { name: 'a JSON string', rawBody: '"x"', status: 400, code: 'invalid_body' },
  { name: 'a JSON number', rawBody: '1', status: 400, code: 'invalid_body' },
  { name: 'deeply nested objects', rawBody: DEEP_OBJECT, status: 400 },
  { name: 'deeply nested arrays', rawBody: DEEP_ARRAY, status: 400, code: 'invalid_body' },
  {
    name: 'malformed JSON sent as binary (base64 to the function)',
    rawBody: '{"label": ',
    contentType: 'application/octet-stream',
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'a body just over 16 KiB',
    rawBody: json({ label: 'x'.repeat(16 * 1024) }),
    status: 413,
    code: 'body_too_large',
  },
  {
    name: 'a 1 MB body',
    rawBody: json({ label: LONG.repeat(100) }),
    status: 413,
    code: 'body_too_large',
  },
];

const validUpload = () => describeUpload('Quarterly report.pdf', 'application/pdf', PDF);

/** Upload descriptions (POST /api/uploads and /api/drop/uploads) that must be refused before anything is signed. */
const BAD_UPLOADS: readonly BodyCase[] = [
  { name: 'size as a string', rawBody: json({ ...validUpload(), size: String(PDF.length) }) },
  { name: 'size negative', rawBody: json({ ...validUpload(), size: -1 }) },
  { name: 'size zero', rawBody: json({ ...validUpload(), size: 0 }) },
  { name: 'size 1.5', rawBody: json({ ...validUpload(), size: 1.5 }) },
  { name: 'size beyond any file S3 takes', rawBody: json({ ...validUpload(), size: 1e300 }) },
  { name: 'size as a boolean', rawBody: json({ ...validUpload(), size: true }) },
  { name: 'size null', rawBody: json({ ...validUpload(), size: null }) },
  { name: 'size as an object', rawBody: json({ ...validUpload(), size: { $gt: 0 } }) },
  { name: 'sha256 too short', rawBody: json({ ...validUpload(), sha256: 'AAAA' }) },
  { name: 'sha256 too long', rawBody: json({ ...validUpload(), sha256: `${'A'.repeat(44)}=` }) },
  { name: 'sha256 in hex', rawBody: json({ ...validUpload(), sha256: 'ab'.repeat(32) }) },
  { name: 'sha256 not base64', rawBody: json({ ...validUpload(), sha256: `${'!'.repeat(43)}=` }) },
  { name: 'sha256 in base64url', rawBody: json({ ...validUpload(), sha256: `${'-_'.repeat(21)}A=` }) },
  { name: 'sha256 as a number', rawBody: json({ ...validUpload(), sha256: 12345 }) },
  { name: 'contentType without a slash', rawBody: json({ ...validUpload(), contentType: 'applicationpdf' }) },
  { name: 'contentType empty', rawBody: json({ ...validUpload(), contentType: '' }) },
  { name: 'contentType with parameters', rawBody: json({ ...validUpload(), contentType: 'text/plain; a=b' }) },
  { name: 'contentType with a line break', rawBody: json({ ...validUpload(), contentType: 'text/plain\r\nx: y' }) },
  { name: 'contentType very long', rawBody: json({ ...validUpload(), contentType: `${LONG.slice(0, 5_000)}/pdf` }) },
  { name: 'contentType as an array', rawBody: json({ ...validUpload(), contentType: ['application/pdf'] }) },
  { name: 'fileName empty', rawBody: json({ ...validUpload(), fileName: '' }) },
  { name: 'fileName very long', rawBody: json({ ...validUpload(), fileName: LONG.slice(0, 5_000) }) },
  { name: 'fileName as a number', rawBody: json({ ...validUpload(), fileName: 7 }) },
  { name: 'no fileName', rawBody: json({ ...validUpload(), fileName: undefined }) },
  { name: 'no contentType', rawBody: json({ ...validUpload(), contentType: undefined }) },
  { name: 'no size', rawBody: json({ ...validUpload(), size: undefined }) },
  { name: 'no sha256', rawBody: json({ ...validUpload(), sha256: undefined }) },
  { name: 'an empty object', rawBody: '{}' },
  { name: 'an extra ownerId field', rawBody: json({ ...validUpload(), ownerId: 'someone-else' }) },
  { name: 'an extra key field', rawBody: json({ ...validUpload(), key: 'files/someone-else/x' }) },
  {
    name: 'an extra __proto__ field',
    rawBody: json({ ...validUpload() }).replace('{', '{"__proto__":{"admin":true},'),
  },
  { name: 'an extra field with a very long name', rawBody: json({ ...validUpload(), [LONG.slice(0, 10_000)]: 1 }) },
].map((c) => ({ ...c, status: 400, code: 'invalid_body' }));

/** Link settings (POST /api/links) that must be refused before a link exists. */
const BAD_LINKS: readonly BodyCase[] = [
  { name: 'no label', rawBody: '{}' },
  { name: 'label as a number', rawBody: json({ label: 42 }) },
  { name: 'label only whitespace', rawBody: json({ label: '   ' }) },
  { name: 'label too long', rawBody: json({ label: LONG.slice(0, 5_000) }) },
  { name: 'expiresInHours as a string', rawBody: json({ label: 'x', expiresInHours: '24' }) },
  { name: 'expiresInHours zero', rawBody: json({ label: 'x', expiresInHours: 0 }) },
  { name: 'expiresInHours negative', rawBody: json({ label: 'x', expiresInHours: -24 }) },
  { name: 'expiresInHours 1.5', rawBody: json({ label: 'x', expiresInHours: 1.5 }) },
  { name: 'expiresInHours beyond a week', rawBody: json({ label: 'x', expiresInHours: 100_000 }) },
  { name: 'maxUploads negative', rawBody: json({ label: 'x', maxUploads: -1 }) },
  { name: 'maxUploads as a string', rawBody: json({ label: 'x', maxUploads: '5' }) },
  { name: 'maxUploads beyond the limit', rawBody: json({ label: 'x', maxUploads: 1e9 }) },
  { name: 'maxBytes 1.5', rawBody: json({ label: 'x', maxBytes: 1.5 }) },
  { name: 'maxBytes beyond the configured maximum', rawBody: json({ label: 'x', maxBytes: 6 * 1024 ** 3 }) },
  { name: 'allowedTypes as a string', rawBody: json({ label: 'x', allowedTypes: 'application/pdf' }) },
  { name: 'allowedTypes empty', rawBody: json({ label: 'x', allowedTypes: [] }) },
  {
    name: 'allowedTypes with an executable type',
    rawBody: json({ label: 'x', allowedTypes: ['application/x-msdownload'] }),
  },
  { name: 'allowedTypes without a slash', rawBody: json({ label: 'x', allowedTypes: ['pdf'] }) },
  { name: 'allowedTypes with a number', rawBody: json({ label: 'x', allowedTypes: [1] }) },
  { name: 'allowedTypes very long', rawBody: json({ label: 'x', allowedTypes: Array(500).fill('application/pdf') }) },
  { name: 'an extra ownerId field', rawBody: json({ label: 'x', ownerId: 'someone-else' }) },
  { name: 'an extra tokenHash field', rawBody: json({ label: 'x', tokenHash: 'chosen' }) },
  { name: 'an extra usesTaken field', rawBody: json({ label: 'x', usesTaken: -100 }) },
  { name: 'an extra field with a very long name', rawBody: json({ label: 'x', [LONG.slice(0, 10_000)]: 1 }) },
].map((c) => ({ ...c, status: 400, code: 'invalid_body' }));

/** Ids in a path that cannot name anything of ours: refused as a bad path, never looked up. */
const ODD_IDS: readonly { name: string; segment: string }[] = [
  { name: 'an encoded path traversal', segment: '..%2F..' },
  { name: 'an encoded traversal to /etc/passwd', segment: '..%2f..%2f..%2fetc%2fpasswd' },
  { name: 'an encoded backslash traversal', segment: '..%5C..%5Cwindows' },
  { name: 'a double-encoded traversal', segment: '%252e%252e%252f' },
  { name: 'an encoded slash', segment: 'a%2Fb' },
  { name: 'an encoded NUL', segment: 'abc%00' },
  { name: 'a broken percent-encoding', segment: '%E0%A4%A' },
  { name: 'a very long id', segment: LONG.slice(0, 4_000) },
  { name: 'a unicode id', segment: encodeURIComponent('ファイル') },
  { name: 'an emoji id', segment: encodeURIComponent('📄') },
  { name: 'a right-to-left override', segment: encodeURIComponent('abc\u202Efdp') },
  { name: 'SQL-looking text', segment: encodeURIComponent("' OR '1'='1") },
  { name: 'markup', segment: encodeURIComponent('<script>alert(1)</script>') },
  { name: 'a space', segment: 'a%20b' },
];

/** A well-formed id that names nothing. */
const UNKNOWN_ID = '0000000000AAAAAAAAAAAAAA';

describe('hostile input', () => {
  let owner: Owner;
  let otherOwner: Owner;
  let linkToken: string;

  beforeAll(async () => {
    [owner, otherOwner] = await Promise.all([newOwner(), newOwner()]);
    const link = await api('POST', '/api/links', {
      token: owner.idToken,
      body: { label: 'Hostile input', maxUploads: 100 },
    });
    expect(link.status).toBe(201);
    linkToken = link.body.token;
  });

  const asOwner = () => ({ token: owner.idToken });
  const asLink = () => ({ uploadToken: linkToken });

  const send = (method: string, path: string, auth: () => object, body: BodyCase) =>
    api(method, path, {
      ...auth(),
      rawBody: body.rawBody,
      ...(body.contentType ? { headers: { 'content-type': body.contentType } } : {}),
    });

  describe.each([
    { route: 'POST /api/links', path: '/api/links', auth: asOwner, cases: [...MALFORMED_BODIES, ...BAD_LINKS] },
    { route: 'POST /api/uploads', path: '/api/uploads', auth: asOwner, cases: [...MALFORMED_BODIES, ...BAD_UPLOADS] },
    {
      route: 'POST /api/drop/uploads',
      path: '/api/drop/uploads',
      auth: asLink,
      cases: [...MALFORMED_BODIES, ...BAD_UPLOADS],
    },
  ])('$route', ({ path, auth, cases }) => {
    it.each(cases)('refuses $name with a 4xx in the error shape', async (body) => {
      // act
      const response = await send('POST', path, auth, body);

      // assess
      expectRefusal(response, body.status, body.code);
    });
  });

  describe('POST /api/drop/uploads', () => {
    it('takes no use of the link for a refused body', async () => {
      // prepare
      const before = await api('GET', '/api/drop', { uploadToken: linkToken });

      // act
      for (const body of BAD_UPLOADS.slice(0, 5)) await send('POST', '/api/drop/uploads', asLink, body);

      // assess
      const after = await api('GET', '/api/drop', { uploadToken: linkToken });
      expect(after.body.uploadsLeft).toBe(before.body.uploadsLeft);
    });
  });

  describe.each([
    { route: 'GET /api/files/{fileId}/download', method: 'GET', path: (id: string) => `/api/files/${id}/download` },
    { route: 'DELETE /api/files/{fileId}', method: 'DELETE', path: (id: string) => `/api/files/${id}` },
    { route: 'DELETE /api/links/{linkId}', method: 'DELETE', path: (id: string) => `/api/links/${id}` },
    {
      route: 'POST /api/uploads/{uploadId}/confirm',
      method: 'POST',
      path: (id: string) => `/api/uploads/${id}/confirm`,
    },
  ])('$route', ({ method, path }) => {
    it.each(ODD_IDS)('refuses $name as an invalid path', async ({ segment }) => {
      // act
      const response = await api(method, path(segment), { token: owner.idToken });

      // assess
      expectRefusal(response, 400, 'invalid_path');
    });

    it('answers a well-formed id that names nothing with 404', async () => {
      // act
      const response = await api(method, path(UNKNOWN_ID), { token: owner.idToken });

      // assess
      expectRefusal(response, 404);
    });
  });

  describe('POST /api/drop/uploads/{uploadId}/confirm', () => {
    it.each(ODD_IDS)('refuses $name as an invalid path', async ({ segment }) => {
      // act
      const response = await api('POST', `/api/drop/uploads/${segment}/confirm`, { uploadToken: linkToken });

      // assess
      expectRefusal(response, 400, 'invalid_path');
    });

    it('answers a well-formed id that names nothing with 404', async () => {
      // act
      const response = await api('POST', `/api/drop/uploads/${UNKNOWN_ID}/confirm`, { uploadToken: linkToken });

      // assess
      expectRefusal(response, 404, 'upload_not_found');
    });
  });

  describe('confirm routes', () => {
    it.each(MALFORMED_BODIES.filter((body) => body.status !== 413))(
      'ignore $name sent where no body is expected',
      async (body) => {
        // act
        const response = await send('POST', `/api/uploads/${UNKNOWN_ID}/confirm`, asOwner, body);

        // assess
        expectRefusal(response, 404, 'upload_not_found');
      },
    );
  });

  const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

  describe.each([
    { route: 'GET /api/files', path: '/api/files', key: (ownerId: string) => ({ ownerId, fileId: UNKNOWN_ID }) },
    {
      route: 'GET /api/links',
      path: '/api/links',
      key: (ownerId: string) => ({ linkId: 'AAAAAAAAAAAAAAAA', ownerId, createdAt: '2030-01-01T00:00:00.000Z' }),
    },
  ])('$route', ({ path }) => {
    it.each([
      ['limit empty', 'limit='],
      ['limit not a number', 'limit=abc'],
      ['limit zero', 'limit=0'],
      ['limit negative', 'limit=-1'],
      ['limit 1.5', 'limit=1.5'],
      ['limit beyond the page maximum', 'limit=101'],
      ['limit huge', 'limit=1e300'],
      ['limit given twice', 'limit=1&limit=2'],
      ['limit very long', `limit=${'9'.repeat(4_000)}`],
      ['cursor that is not base64 JSON', 'cursor=not-a-cursor'],
      ['cursor empty', 'cursor='],
      ['cursor very long', `cursor=${LONG.slice(0, 4_000)}`],
      ['cursor of JSON null', `cursor=${cursorOf(null)}`],
      ['cursor of a JSON array', `cursor=${cursorOf(['a'])}`],
      ['an unknown parameter', 'admin=true'],
      ['an unknown parameter with a very long name', `${LONG.slice(0, 4_000)}=1`],
    ])('refuses %s as an invalid query', async (_case, query) => {
      // act
      const response = await api('GET', `${path}?${query}`, { token: owner.idToken });

      // assess
      expectRefusal(response, 400);
      expect(response.body.error.code).toMatch(/^invalid_(query|cursor)$/);
    });

    it("refuses another owner's cursor", async () => {
      // prepare
      const cursor = cursorOf({ ownerId: otherOwner.sub, fileId: UNKNOWN_ID });

      // act
      const response = await api('GET', `${path}?cursor=${cursor}`, { token: owner.idToken });

      // assess
      expectRefusal(response, 400, 'invalid_cursor');
    });
  });

  describe.each([
    { route: 'GET /api/files', path: '/api/files' },
    { route: 'GET /api/links', path: '/api/links' },
  ])('$route', ({ path }) => {
    // These cursors name the caller's own partition but are not a key of the table or index:
    // DynamoDB refuses them as a ValidationException, which must not surface as a 500.
    it.each([
      ['only the owner', (ownerId: string) => ({ ownerId })],
      ['an extra attribute', (ownerId: string) => ({ ownerId, fileId: UNKNOWN_ID, linkId: 'x', extra: 'y' })],
      ['an empty key value', (ownerId: string) => ({ ownerId, fileId: '' })],
    ])('refuses an own-partition cursor with %s as invalid, not a server error', async (_case, key) => {
      // prepare
      const cursor = cursorOf(key(owner.sub));

      // act
      const response = await api('GET', `${path}?cursor=${cursor}`, { token: owner.idToken });

      // assess
      expectRefusal(response, 400, 'invalid_cursor');
    });
  });

  describe('credentials', () => {
    it.each([
      ['no Authorization header', undefined],
      ['a scheme other than Bearer', 'Basic dXNlcjpwYXNz'],
      ['a very long bearer token', `Bearer ${LONG}`],
      ['a bearer token that is not a JWT', 'Bearer not-a-jwt'],
      ['a JWT with alg none', `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`],
      ['a JWT-shaped forgery', 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.eyJzdWIiOiJ4In0.c2ln'],
    ])('refuses an owner route with %s', async (_case, authorization) => {
      // act
      const response = await api('POST', '/api/uploads', {
        body: validUpload(),
        ...(authorization ? { headers: { authorization } } : {}),
      });

      // assess
      expectRefusal(response, 401);
    });

    it.each([
      ['no upload token', undefined],
      ['an empty upload token', ''],
      ['a very long upload token', LONG],
      ['a token with the right link id and a wrong secret', `${'A'.repeat(16)}.${'B'.repeat(43)}`],
      ['path traversal as a token', '../../../../etc/passwd'],
    ])('refuses a link route with %s', async (_case, token) => {
      // act
      const response = await api('POST', '/api/drop/uploads', {
        body: validUpload(),
        ...(token !== undefined ? { headers: { 'x-upload-token': token } } : {}),
      });

      // assess
      expectRefusal(response, 401, 'invalid_link');
    });

    it('refuses the real link id with a wrong secret', async () => {
      // prepare
      const forged = `${linkToken.split('.')[0]}.${'B'.repeat(43)}`;

      // act
      const response = await api('GET', '/api/drop', { uploadToken: forged });

      // assess
      expectRefusal(response, 401, 'invalid_link');
    });
  });

  describe('gateway', () => {
    it.each([
      ['GET', '/api/nope'],
      ['POST', '/api/links/extra/segments'],
      ['GET', '/api/files/abc/download/more'],
      ['GET', '/api/links/'],
      ['GET', '/api/'],
    ])('answers an unknown route %s %s with 404 route_not_found', async (method, path) => {
      // act
      const response = await api(method, path, { token: owner.idToken });

      // assess
      expectRefusal(response, 404, 'route_not_found');
    });

    it('answers an unknown route with a very long path without echoing it', async () => {
      // act
      const response = await api('GET', `/api/${LONG.slice(0, 8_000)}`, { token: owner.idToken });

      // assess
      expectRefusal(response, 404, 'route_not_found');
    });

    it.each([
      ['PUT', '/api/links'],
      ['PATCH', '/api/links'],
      ['GET', '/api/uploads'],
      ['DELETE', '/api/drop'],
      ['POST', '/api/health'],
      ['PUT', '/api/files/abc'],
      ['GET', '/api/uploads/abc/confirm'],
      ['DELETE', '/api/drop/uploads'],
      ['POST', '/api/files/abc/download'],
    ])('answers a wrong method %s on the known path %s with 405', async (method, path) => {
      // act
      const response = await api(method, path, { token: owner.idToken });

      // assess
      expectRefusal(response, 405, 'method_not_allowed');
    });

    it('answers a wrong method on a very long path without echoing it', async () => {
      // act
      const response = await api('PUT', `/api/files/${LONG.slice(0, 8_000)}`, { token: owner.idToken });

      // assess
      expectRefusal(response, 405, 'method_not_allowed');
    });

    it('refuses a body whose bytes are not UTF-8', async () => {
      // prepare
      const body = Buffer.concat([Buffer.from('{"label": "x"'), Buffer.from([0xff, 0xfe]), Buffer.from('}')]);

      // act
      const response = await rawRequest('POST', '/api/links', body, {
        authorization: `Bearer ${owner.idToken}`,
        'content-type': 'application/json',
      });

      // assess
      expectRefusal(response, 400, 'invalid_json');
    });

    it('refuses a body over 10 MB with 413 payload_too_large before any function runs', async () => {
      // prepare
      const body = Buffer.alloc(10 * 1024 * 1024 + 1, 0x61);

      // act
      const response = await rawRequest('POST', '/api/links', body, {
        authorization: `Bearer ${owner.idToken}`,
        'content-type': 'application/json',
      });

      // assess
      expectRefusal(response, 413, 'payload_too_large');
    });
  });
});

/**
 * A request with node:http rather than fetch, for a body the server may stop reading: the
 * answer counts as soon as it arrives, whatever happens to the rest of the upload after.
 */
function rawRequest(method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${system.apiUrl}${path}`, { method, headers: { ...headers, 'content-length': body.length } });
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: the assertions will say so
        }
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (typeof value === 'string') responseHeaders.set(name, value);
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: responseHeaders });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(new Error(`no HTTP answer before the connection failed: ${error.message}`));
    });
    req.end(body);
  });
}
