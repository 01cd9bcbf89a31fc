import { sha256 } from '@noble/hashes/sha2.js';

export interface Digest {
  readonly base64: string;
  readonly hex: string;
  /** Set for a multipart upload: the digest is S3's COMPOSITE SHA-256 of this many parts' digests. */
  readonly parts?: number;
}

/**
 * Up to this size a file is read into memory once and hashed by Web Crypto, natively (hundreds
 * of MB/s). Web Crypto has no incremental digest, so a larger file is read in chunks and hashed
 * by @noble/hashes instead: slower (tens of MB/s) but its memory stays at one chunk, however
 * large the file (the API accepts up to 5 GiB when an operator allows it).
 */
export const HASH_IN_MEMORY_MAX_BYTES = 256 * 1024 * 1024;

/** The SHA-256 the presign signs; `onProgress` hears bytes hashed when the file is streamed. */
export async function sha256Of(
  file: Blob,
  onProgress?: (hashedBytes: number) => void,
  inMemoryMaxBytes = HASH_IN_MEMORY_MAX_BYTES,
): Promise<Digest> {
  if (!globalThis.crypto?.subtle) {
    // Web Crypto exists only in secure contexts: HTTPS, or http://localhost.
    throw new Error('This page must be opened over HTTPS to check and send files.');
  }
  const digest =
    file.size <= inMemoryMaxBytes
      ? new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))
      : await streamedSha256(file, onProgress);
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return { base64: btoa(binary), hex: Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('') };
}

/** Read size per step: memory stays at about one chunk, and progress moves often enough to see. */
const CHUNK_BYTES = 8 * 1024 * 1024;

async function streamedSha256(file: Blob, onProgress?: (hashedBytes: number) => void): Promise<Uint8Array> {
  const hash = sha256.create();
  for (let offset = 0; offset < file.size; offset += CHUNK_BYTES) {
    const end = Math.min(offset + CHUNK_BYTES, file.size);
    hash.update(new Uint8Array(await file.slice(offset, end).arrayBuffer()));
    onProgress?.(end);
  }
  return hash.digest();
}
