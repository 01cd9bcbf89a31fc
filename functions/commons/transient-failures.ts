/**
 * Whether an error says a dependency is down, slow or overloaded for now (so the request may
 * succeed later: 503), rather than that our code or its input is wrong (500). The same signs
 * the SDK's standard retry strategy retries on (@smithy/service-error-classification:
 * transient names and network codes, throttling, 5xx, `$retryable`), looked for along the
 * `cause` chain, since domain code may wrap what the SDK threw.
 */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // A call aborted at the request's deadline (call-bounds.ts).
  'AbortError',
  // Throttling, as the SDK names it for the services docdrop calls.
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
]);

/** Node's network errors that mean the peer is gone or unreachable for now (not a bad address: ENOTFOUND stays a 500). */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

export function isTransientFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const candidate = current as ErrorLike;
    if (typeof candidate.name === 'string' && TRANSIENT_NAMES.has(candidate.name)) return true;
    if (typeof candidate.code === 'string' && TRANSIENT_CODES.has(candidate.code)) return true;
    if (candidate.$retryable !== undefined) return true;
    const status = candidate.$metadata?.httpStatusCode;
    if (typeof status === 'number' && (status === 429 || status >= 500)) return true;
    current = candidate.cause;
  }
  return false;
}
