import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { boundedByRequest, runWithinDeadline } from '#commons/call-bounds';
import { Conflict, Gone, Invalid, NotFound, TooLarge, Unauthorized, UnsupportedType } from '#commons/errors';
import { type Authenticate, type HttpEvent, type HttpResult, httpHandler, sourceAddressOf } from '#commons/http';
import { dependencyCalls, limits } from '#contracts/limits';
import { VIEWER_ADDRESS_HEADER } from '#contracts/web-security';

const owner: Authenticate = async () => ({ kind: 'owner', ownerId: 'owner-1' });

function event(overrides: Partial<HttpEvent> = {}): HttpEvent {
  return {
    version: '2.0',
    routeKey: 'POST /api/links',
    rawPath: '/api/links',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: {
      accountId: '000000000000',
      apiId: 'unit',
      domainName: 'localhost',
      domainPrefix: 'unit',
      http: { method: 'POST', path: '/api/links', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'api-request-1',
      routeKey: 'POST /api/links',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
    ...overrides,
  };
}

const context = {
  awsRequestId: 'lambda-request-1',
  functionName: 'docdrop-unit',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:docdrop-unit',
  memoryLimitInMB: '128',
  logGroupName: '/aws/lambda/docdrop-unit',
  logStreamName: 'unit',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

const parsedBody = (result: HttpResult): any => JSON.parse(result.body as string);

function expectErrorShape(result: HttpResult, status: number, code: string): void {
  expect(result.statusCode).toBe(status);
  expect(result.headers).toMatchObject({
    'content-type': expect.stringContaining('application/json'),
    'cache-control': 'no-store',
  });
  expect(parsedBody(result)).toEqual({ error: { code, message: expect.any(String) } });
}

describe('httpHandler', () => {
  it('answers with the handler status and JSON body, never cached', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => ({ status: 201, body: { ok: true } }));

    // act
    const result = await handler(event(), context);

    // assess
    expect(result.statusCode).toBe(201);
    expect(parsedBody(result)).toEqual({ ok: true });
    expect(result.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  it('answers with no body when the handler has none', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => ({ status: 204 }));

    // act
    const result = await handler(event(), context);

    // assess
    expect(result.statusCode).toBe(204);
    expect(result.body).toBeUndefined();
  });

  it('hands the handler the caller the authenticator accepted', async () => {
    // prepare
    let seen: unknown;
    const handler = httpHandler({ authenticate: owner }, async ({ caller, requestId }) => {
      seen = { caller, requestId };
      return { status: 200 };
    });

    // act
    await handler(event(), context);

    // assess
    expect(seen).toEqual({ caller: { kind: 'owner', ownerId: 'owner-1' }, requestId: 'api-request-1' });
  });

  it.each([
    ['Invalid', new Invalid('bad_thing', 'That is not right.'), 400],
    ['Unauthorized', new Unauthorized('invalid_token', 'Sign in again.'), 401],
    ['NotFound', new NotFound('file_not_found', 'No such file.'), 404],
    ['Conflict', new Conflict('not_ready', 'Still being checked.'), 409],
    ['Gone', new Gone('link_expired', 'This link has expired.'), 410],
    ['TooLarge', new TooLarge('file_too_large', 'Too big.'), 413],
    ['UnsupportedType', new UnsupportedType('type_not_allowed', 'Not that type.'), 415],
  ])('maps %s thrown by the handler to its status with its code and message', async (_name, error, status) => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => {
      throw error;
    });

    // act
    const result = await handler(event(), context);

    // assess
    expectErrorShape(result, status, error.code);
    expect(parsedBody(result).error.message).toBe(error.message);
  });

  it('maps a typed error thrown while authenticating, before the handler runs', async () => {
    // prepare
    let ran = false;
    const refuse: Authenticate = async () => {
      throw new Unauthorized('missing_token', 'Sign in first.');
    };
    const handler = httpHandler({ authenticate: refuse }, async () => {
      ran = true;
      return { status: 200 };
    });

    // act
    const result = await handler(event(), context);

    // assess
    expectErrorShape(result, 401, 'missing_token');
    expect(ran).toBe(false);
  });

  it('answers an unexpected error with a 500 that says nothing about it', async () => {
    // prepare
    const secret = 'arn:aws:dynamodb:eu-west-1:123456789012:table/secret-table ValidationException';
    const handler = httpHandler({ authenticate: owner }, async () => {
      throw new Error(secret);
    });

    // act
    const result = await handler(event(), context);

    // assess
    expectErrorShape(result, 500, 'internal_error');
    expect(result.body).not.toContain('secret-table');
    expect(result.body).not.toContain('ValidationException');
    expect(result.body).not.toContain('Error');
    expect(parsedBody(result).error.message).toContain('api-request-1');
  });

  it('answers a thrown non-Error value with a 500 as well', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => {
      throw 'a string, not an Error';
    });

    // act
    const result = await handler(event(), context);

    // assess
    expectErrorShape(result, 500, 'internal_error');
    expect(result.body).not.toContain('a string');
  });

  it('answers 500 for a route the route table does not know, without naming it', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => ({ status: 200 }));

    // act
    const result = await handler(event({ routeKey: 'POST /api/secret-admin' }), context);

    // assess
    expectErrorShape(result, 500, 'internal_error');
    expect(result.body).not.toContain('secret-admin');
  });

  describe('with a body schema', () => {
    const schema = z.object({ label: z.string(), count: z.number().int() }).strict();

    it('parses a valid JSON body for the handler', async () => {
      // prepare
      let seen: unknown;
      const handler = httpHandler({ authenticate: owner, body: schema }, async ({ body }) => {
        seen = body;
        return { status: 200 };
      });

      // act
      await handler(event({ body: JSON.stringify({ label: 'x', count: 2 }) }), context);

      // assess
      expect(seen).toEqual({ label: 'x', count: 2 });
    });

    it('decodes a base64-encoded body before parsing it', async () => {
      // prepare
      let seen: unknown;
      const handler = httpHandler({ authenticate: owner, body: schema }, async ({ body }) => {
        seen = body;
        return { status: 200 };
      });
      const encoded = Buffer.from(JSON.stringify({ label: 'Grüße', count: 1 })).toString('base64');

      // act
      const result = await handler(event({ body: encoded, isBase64Encoded: true }), context);

      // assess
      expect(result.statusCode).toBe(200);
      expect(seen).toEqual({ label: 'Grüße', count: 1 });
    });

    it('refuses a body that is not JSON with 400 invalid_json', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));

      // act
      const result = await handler(event({ body: '{"label": "x", count: ' }), context);

      // assess
      expectErrorShape(result, 400, 'invalid_json');
    });

    it('refuses a missing body with 400', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));

      // act
      const result = await handler(event(), context);

      // assess
      expectErrorShape(result, 400, 'invalid_body');
    });

    it('refuses a body that does not match the schema with 400 naming the field', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));

      // act
      const result = await handler(event({ body: JSON.stringify({ label: 'x', count: '2' }) }), context);

      // assess
      expectErrorShape(result, 400, 'invalid_body');
      expect(parsedBody(result).error.message).toContain('count');
    });

    it('refuses a body over 16 KiB with 413 before parsing it', async () => {
      // prepare
      let ran = false;
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => {
        ran = true;
        return { status: 200 };
      });
      const big = JSON.stringify({ label: 'x'.repeat(limits.requestBodyMaxBytes), count: 1 });

      // act
      const result = await handler(event({ body: big }), context);

      // assess
      expectErrorShape(result, 413, 'body_too_large');
      expect(ran).toBe(false);
      expect(result.body).not.toContain('xxxxxxxxxx');
    });

    it('measures the body limit in bytes, not characters', async () => {
      // prepare: 6000 three-byte characters are 18000 bytes
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));
      const body = JSON.stringify({ label: '€'.repeat(6000), count: 1 });

      // act
      const result = await handler(event({ body }), context);

      // assess
      expectErrorShape(result, 413, 'body_too_large');
    });

    it('measures a base64 body by its decoded size', async () => {
      // prepare: a 12 KiB body is 16 KiB of base64, and fits
      let ran = false;
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => {
        ran = true;
        return { status: 200 };
      });
      const json = JSON.stringify({ label: 'y'.repeat(12 * 1024), count: 1 });

      // act
      const result = await handler(
        event({ body: Buffer.from(json).toString('base64'), isBase64Encoded: true }),
        context,
      );

      // assess
      expect(result.statusCode).toBe(200);
      expect(ran).toBe(true);
    });

    it('accepts a body of exactly 16 KiB', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));
      const frame = JSON.stringify({ label: '', count: 1 });
      const body = JSON.stringify({ label: 'z'.repeat(limits.requestBodyMaxBytes - frame.length), count: 1 });

      // act
      const result = await handler(event({ body }), context);

      // assess
      expect(Buffer.byteLength(body)).toBe(limits.requestBodyMaxBytes);
      expect(result.statusCode).toBe(200);
    });

    it.each([
      ['an array', '[]'],
      ['null', 'null'],
      ['a string', '"label"'],
      ['a number', '42'],
    ])('refuses %s where an object belongs', async (_case, body) => {
      // prepare
      const handler = httpHandler({ authenticate: owner, body: schema }, async () => ({ status: 200 }));

      // act
      const result = await handler(event({ body }), context);

      // assess
      expectErrorShape(result, 400, 'invalid_body');
    });
  });

  describe('with path and query schemas', () => {
    const params = z.object({ fileId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
    const query = z.object({ limit: z.coerce.number().int().min(1).max(100).default(50) }).strict();

    it('parses path and query parameters for the handler', async () => {
      // prepare
      let seen: unknown;
      const handler = httpHandler({ authenticate: owner, params, query }, async (request) => {
        seen = { params: request.params, query: request.query };
        return { status: 200 };
      });

      // act
      await handler(event({ pathParameters: { fileId: 'abc' }, queryStringParameters: { limit: '10' } }), context);

      // assess
      expect(seen).toEqual({ params: { fileId: 'abc' }, query: { limit: 10 } });
    });

    it('refuses a bad path parameter with 400 invalid_path', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, params }, async () => ({ status: 200 }));

      // act
      const result = await handler(event({ pathParameters: { fileId: '../..' } }), context);

      // assess
      expectErrorShape(result, 400, 'invalid_path');
    });

    it('refuses a missing path parameter with 400 invalid_path', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, params }, async () => ({ status: 200 }));

      // act
      const result = await handler(event(), context);

      // assess
      expectErrorShape(result, 400, 'invalid_path');
    });

    it('refuses a bad query parameter with 400 invalid_query', async () => {
      // prepare
      const handler = httpHandler({ authenticate: owner, query }, async () => ({ status: 200 }));

      // act
      const result = await handler(event({ queryStringParameters: { limit: 'lots' } }), context);

      // assess
      expectErrorShape(result, 400, 'invalid_query');
    });
  });
});

describe('the source address a request is recorded with', () => {
  const peer = '127.0.0.1';

  it('is the address CloudFront reports for the viewer when it is an IP address', () => {
    // act
    const v4 = sourceAddressOf(event({ headers: { [VIEWER_ADDRESS_HEADER]: '203.0.113.7' } }));
    const v6 = sourceAddressOf(event({ headers: { [VIEWER_ADDRESS_HEADER]: '2001:db8::1' } }));

    // assess
    expect(v4).toBe('203.0.113.7');
    expect(v6).toBe('2001:db8::1');
  });

  it.each([
    ['no header', {}],
    ['an empty header', { [VIEWER_ADDRESS_HEADER]: '' }],
    ['a host name', { [VIEWER_ADDRESS_HEADER]: 'evil.example' }],
    ['a list of addresses', { [VIEWER_ADDRESS_HEADER]: '203.0.113.7, 10.0.0.1' }],
    ['text meant for a log', { [VIEWER_ADDRESS_HEADER]: '203.0.113.7\n{"admin":true}' }],
  ])('is the connection’s own address with %s', (_case, headers) => {
    // act
    const address = sourceAddressOf(event({ headers }));

    // assess
    expect(address).toBe(peer);
  });
});

/** An SDK-shaped error, as the clients throw them. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from the SDK`), { name, $metadata: {}, ...fields });

describe('httpHandler when a dependency fails', () => {
  it('answers 503 service_unavailable with Retry-After for a timed-out call, in the error shape', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => {
      throw sdkError('TimeoutError');
    });

    // act
    const result = await handler(event(), context);

    // assess
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': String(dependencyCalls.retryAfterSeconds) });
    expect(parsedBody(result)).toEqual({ error: { code: 'service_unavailable', message: expect.any(String) } });
    expect(result.body).not.toContain('TimeoutError');
  });

  it('keeps an unexpected error a 500 with no Retry-After and nothing about it', async () => {
    // prepare
    const handler = httpHandler({ authenticate: owner }, async () => {
      throw sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } });
    });

    // act
    const result = await handler(event(), context);

    // assess
    expect(result.statusCode).toBe(500);
    expect(result.headers).not.toHaveProperty('retry-after');
    expect(result.body).not.toContain('ValidationException');
  });

  it('answers 503 at the deadline when the function has little time left, and aborts the call in flight', async () => {
    // prepare: 1.3 s left, so the deadline is 0.3 s after the 1 s margin; the "call" waits on its abort signal.
    let aborted = false;
    const client = boundedByRequest({
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise((_, reject) =>
          options?.abortSignal?.addEventListener('abort', () => {
            aborted = true;
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          }),
        ),
    });
    const handler = httpHandler({ authenticate: owner }, async () => {
      await client.send({});
      return { status: 200 };
    });
    const started = performance.now();

    // act
    const result = await handler(event(), { ...context, getRemainingTimeInMillis: () => 1300 });

    // assess
    const elapsed = performance.now() - started;
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': expect.stringMatching(/^\d+$/) });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
    expect(aborted).toBe(true);
  });

  it('holds a route that names a longer deadline to it: no 503 at the usual 5 s', async () => {
    // prepare: a call that takes just past the usual deadline, on a route given 6 s (complete-upload's way)
    const slow = dependencyCalls.requestDeadlineMs + 300;
    const handler = httpHandler(
      { authenticate: owner, requestDeadlineMs: dependencyCalls.requestDeadlineMs + 1000 },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, slow));
        return { status: 200 };
      },
    );

    // act
    const result = await handler(event(), { ...context, getRemainingTimeInMillis: () => 28_000 });

    // assess
    expect(result.statusCode).toBe(200);
  }, 10_000);

  it('gives no abort signal to calls made outside a request', async () => {
    // prepare
    const seen: unknown[] = [];
    const client = boundedByRequest({
      send: async (_command: unknown, options?: { abortSignal?: AbortSignal }) => seen.push(options?.abortSignal),
    });

    // act
    await client.send({});
    await runWithinDeadline(new AbortController().signal, () => client.send({}));

    // assess
    expect(seen[0]).toBeUndefined();
    expect(seen[1]).toBeInstanceOf(AbortSignal);
  });
});
