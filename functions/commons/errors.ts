import { dependencyCalls } from '#contracts/limits';

/**
 * Typed errors thrown by domain code. `toErrorResponse` in http.ts is the one place that
 * turns them into status codes; anything else becomes a 500 with no detail.
 */
export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class Invalid extends AppError {
  readonly status = 400;
}
export class Unauthorized extends AppError {
  readonly status = 401;
}
/** Also what another owner's object answers: existence is never disclosed. */
export class NotFound extends AppError {
  readonly status = 404;
}
export class Conflict extends AppError {
  readonly status = 409;
}
/** The thing existed and is no longer usable (expired, revoked or used-up link). */
export class Gone extends AppError {
  readonly status = 410;
}
export class TooLarge extends AppError {
  readonly status = 413;
}
export class UnsupportedType extends AppError {
  readonly status = 415;
}
/**
 * The caller can see the thing (it is shared with them) but not change it. Never used for
 * what the caller cannot see: that answers 404.
 */
export class Forbidden extends AppError {
  readonly status = 403;
}
/**
 * A dependency (DynamoDB, S3, Cognito) did not answer in time or refused for now: the request
 * may succeed if sent again after `retryAfterSeconds` (the `Retry-After` header).
 */
export class ServiceUnavailable extends AppError {
  readonly status = 503;
  readonly retryAfterSeconds: number;
  constructor(
    message = 'A service docdrop depends on is not answering right now. Try again shortly.',
    options: { readonly retryAfterSeconds?: number; readonly cause?: unknown } = {},
  ) {
    super('service_unavailable', message);
    this.retryAfterSeconds = options.retryAfterSeconds ?? dependencyCalls.retryAfterSeconds;
    // For the log only: what failed, never shown to the client.
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
