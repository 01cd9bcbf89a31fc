import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../web/src/file-digest';

/** Bytes that differ from chunk to chunk, so a chunk hashed twice or skipped changes the digest. */
function patterned(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + (index >> 16)) & 0xff;
  return bytes;
}

describe('the browser-side SHA-256 the presign signs', () => {
  // Over two 8 MiB read chunks, and not a multiple of one.
  const bytes = patterned(2 * 8 * 1024 * 1024 + 7);
  const expected = createHash('sha256').update(bytes).digest();

  it('hashes a file within the in-memory limit with Web Crypto', async () => {
    // act
    const digest = await sha256Of(new Blob([bytes]));

    // assess
    expect(digest.base64).toBe(expected.toString('base64'));
    expect(digest.hex).toBe(expected.toString('hex'));
  });

  it('streams a file over the in-memory limit chunk by chunk to the same digest, reporting progress', async () => {
    // prepare
    const progress: number[] = [];

    // act
    const digest = await sha256Of(new Blob([bytes]), (hashed) => progress.push(hashed), 1024 * 1024);

    // assess
    expect(digest.base64).toBe(expected.toString('base64'));
    expect(progress).toHaveLength(3);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});
