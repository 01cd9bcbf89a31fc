import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * File ids sort by creation time (9 base-36 digits of milliseconds, good until 5188 AD),
 * then 80 random bits, so a reverse query of an owner's files lists newest first.
 */
export function newFileId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(10).toString('base64url');
}

export const newLinkId = (): string => randomBytes(12).toString('base64url');

/**
 * An upload-link token: the link id, a dot, then 256 random bits. Only its SHA-256 is stored;
 * the id in front lets a use find its item with one read.
 */
export function newLinkToken(linkId: string): string {
  return `${linkId}.${randomBytes(32).toString('base64url')}`;
}

const TOKEN = /^([A-Za-z0-9_-]{16})\.[A-Za-z0-9_-]{43}$/;

/** The link id a well-formed token names, or undefined. */
export function linkIdOfToken(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

export function tokenMatchesHash(token: string, storedHash: string): boolean {
  const actual = Buffer.from(hashToken(token));
  const expected = Buffer.from(storedHash);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
