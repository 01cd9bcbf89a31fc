import type * as z from 'zod';

/**
 * One route's contract: what it takes in its body, path and query. The handler parses its
 * input with exactly these schemas, and the API description is generated from them.
 */
export interface Operation {
  /** One line for the API description. */
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
}
