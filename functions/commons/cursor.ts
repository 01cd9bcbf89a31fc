import { z } from 'zod';
import { Invalid } from './errors';

const keySchema = z.record(z.string().max(128), z.string().max(256)).refine((key) => Object.keys(key).length <= 4);

/** An opaque page cursor: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * Reads a cursor back. It must name the caller's own partition: a cursor is input like any
 * other, and one crafted with another owner's id would otherwise start a page in their data.
 */
export function decodeCursor(cursor: string | undefined, ownerId: string): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new Invalid('invalid_cursor', 'The page cursor is not valid; start again without it.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const parsed = keySchema.safeParse(decoded);
  if (!parsed.success || parsed.data.ownerId !== ownerId) throw invalid;
  return parsed.data;
}
