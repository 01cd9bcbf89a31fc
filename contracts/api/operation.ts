import type * as z from '../zod';

/** What a route answers when it succeeds; 202 when it accepted work that finishes later. */
export type SuccessStatus = 200 | 201 | 202 | 204;

/**
 * Refusals a route's own code can answer, each with `{ error: { code, message } }`. The
 * description adds what every route of its kind answers: 400 for bad input (routes that take
 * some), 413 for an oversized body, 401 (and 410 for a link no longer usable) from
 * authentication, 500, and 503 with `Retry-After` when a dependency does not answer in time.
 */
export type RefusalStatus = 403 | 404 | 409 | 410 | 413 | 415;

/**
 * One route's contract: what it takes in its body, path and query, and what it answers. The
 * handler parses its input with exactly these schemas, and the API description is generated
 * from all of them.
 */
export interface Operation {
  /** One line for the API description. */
  readonly summary: string;
  readonly body?: z.ZodMiniType;
  readonly params?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  /** Each success status and the body it carries (`null`: none, as with a 204). */
  readonly responses: Readonly<Partial<Record<SuccessStatus, z.ZodMiniType | null>>>;
  readonly refusals?: readonly RefusalStatus[];
}
