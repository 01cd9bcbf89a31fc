/**
 * The Web Worker that hashes parts of a file for a multipart upload, so the page stays
 * responsive while gigabytes are read. A part is at most a few MiB to 5 GiB; Web Crypto
 * digests it natively (no incremental API is needed: one part is read at a time).
 */
export interface HashRequest {
  readonly id: number;
  readonly file: Blob;
  readonly start: number;
  readonly end: number;
}

export type HashAnswer =
  | { readonly id: number; readonly sha256: string }
  | { readonly id: number; readonly error: string };

const toBase64 = (digest: ArrayBuffer): string => {
  let binary = '';
  for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
  return btoa(binary);
};

self.addEventListener('message', async (event: MessageEvent<HashRequest>) => {
  const { id, file, start, end } = event.data;
  try {
    const digest = await crypto.subtle.digest('SHA-256', await file.slice(start, end).arrayBuffer());
    self.postMessage({ id, sha256: toBase64(digest) } satisfies HashAnswer);
  } catch (error) {
    // A file deleted or changed on disk since it was chosen cannot be read again.
    self.postMessage({ id, error: (error as Error).message || 'The file could not be read.' } satisfies HashAnswer);
  }
});
