import { describe, expect, it } from 'vitest';
import { isTransientFailure } from '#commons/transient-failures';

/** An SDK-shaped error, as the clients throw them. */
const sdkError = (name: string, fields: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} from the SDK`), { name, $metadata: {}, ...fields });

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
