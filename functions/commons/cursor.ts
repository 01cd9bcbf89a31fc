import * as z from '#contracts/zod';
import { Invalid } from './errors';

/** An opaque page cursor: DynamoDB's LastEvaluatedKey, base64url JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * Reads a cursor back. A cursor is input like any other: it must hold exactly the key
 * attributes of the table or index being paged (DynamoDB answers anything else with a
 * ValidationException), each a non-empty string, and name the caller's own partition, so
 * one crafted with another owner's id cannot start a page in their data. The partition is
 * `ownerId` unless the index pages another one (a grantee's shares).
 */
export function decodeCursor(
  cursor: string | undefined,
  ownerId: string,
  keyAttributes: readonly string[],
  partitionAttribute = 'ownerId',
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = new Invalid('invalid_cursor', 'The page cursor is not valid; start again without it.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  const schema = z.strictObject(
    Object.fromEntries(keyAttributes.map((name) => [name, z.string().check(z.minLength(1), z.maxLength(256))])),
  );
  const parsed = schema.safeParse(decoded);
  if (!parsed.success || parsed.data[partitionAttribute] !== ownerId) throw invalid;
  return parsed.data as Record<string, string>;
}
