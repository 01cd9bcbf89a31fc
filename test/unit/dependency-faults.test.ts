import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { boundedByRequest, runWithinDeadline } from '#commons/call-bounds';
import { type Authenticate, type HttpEvent, type HttpResult, httpHandler } from '#commons/http';
import { isTransientFailure } from '#commons/transient-failures';
import { dependencyCalls } from '#contracts/limits';

const publicCaller: Authenticate = async () => ({ kind: 'public' });

const event = {
  version: '2.0',
  routeKey: 'GET /api/files',
  rawPath: '/api/files',
  rawQueryString: '',
  headers: {},
  requestContext: {
    accountId: '000000000000',
    apiId: 'unit',
    domainName: 'localhost',
    domainPrefix: 'unit',
    http: { method: 'GET', path: '/api/files', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    requestId: 'api-request-1',
    routeKey: 'GET /api/files',
    stage: '$default',
    time: new Date().toUTCString(),
    timeEpoch: Date.now(),
  },
  isBase64Encoded: false,
} as HttpEvent;

const contextWith = (remainingMs: number) =>
  ({
    awsRequestId: 'lambda-request-1',
    functionName: 'docdrop-unit',
    getRemainingTimeInMillis: () => remainingMs,
  }) as Context;

/** An SDK-shaped error, as the clients throw them. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from the SDK`), { name, $metadata: {}, ...fields });

const parsed = (result: HttpResult) => JSON.parse(result.body as string);

describe('which failures are a dependency down for now', () => {
  it.each([
    ['a request timeout', sdkError('TimeoutError')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['DynamoDB throttling', sdkError('ProvisionedThroughputExceededException')],
    ['S3 asking to slow down', sdkError('SlowDown', { $metadata: { httpStatusCode: 503 } })],
    ['any 5xx from a service', sdkError('SomethingInternal', { $metadata: { httpStatusCode: 500 } })],
    ['a 429', sdkError('Whatever', { $metadata: { httpStatusCode: 429 } })],
    ['an error the SDK marks retryable', sdkError('Odd', { $retryable: { throttling: false } })],
    ['a call aborted at the deadline', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['a timeout wrapped by domain code', new Error('could not reserve', { cause: sdkError('TimeoutError') })],
  ])('counts %s', (_what, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a plain bug', new TypeError('x is undefined')],
    ['a failed condition', sdkError('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } })],
    ['a missing table', sdkError('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } })],
    ['access denied', sdkError('AccessDeniedException', { $metadata: { httpStatusCode: 403 } })],
    ['a wrong host name', Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })],
    ['a thrown string', 'boom'],
    ['nothing', undefined],
  ])('does not count %s', (_what, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});

describe('httpHandler when a dependency fails', () => {
  it('answers 503 service_unavailable with Retry-After for a timed-out call, in the error shape', async () => {
    // prepare
    const handler = httpHandler({ authenticate: publicCaller }, async () => {
      throw sdkError('TimeoutError');
    });

    // act
    const result = await handler(event, contextWith(10_000));

    // assess
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': String(dependencyCalls.retryAfterSeconds) });
    expect(parsed(result)).toEqual({ error: { code: 'service_unavailable', message: expect.any(String) } });
    expect(result.body).not.toContain('TimeoutError');
  });

  it('keeps an unexpected error a 500 with no Retry-After and nothing about it', async () => {
    // prepare
    const handler = httpHandler({ authenticate: publicCaller }, async () => {
      throw sdkError('ValidationException', { $metadata: { httpStatusCode: 400 } });
    });

    // act
    const result = await handler(event, contextWith(10_000));

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
    const handler = httpHandler({ authenticate: publicCaller }, async () => {
      await client.send({});
      return { status: 200 };
    });
    const started = performance.now();

    // act
    const result = await handler(event, contextWith(1300));

    // assess
    const elapsed = performance.now() - started;
    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': expect.stringMatching(/^\d+$/) });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
    expect(aborted).toBe(true);
  });

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
