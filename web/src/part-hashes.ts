import type { HashAnswer, HashRequest } from './part-hasher.worker';

/** Set by web/build.ts to the bundled worker's content-hashed path; absent where the page was not built (unit tests). */
declare const __PART_HASHER_URL__: string | undefined;

/** Two workers: parts hash while others are sent, without taking every core of a phone. */
const WORKERS = 2;

export interface PartHasher {
  /** The base64 SHA-256 of `file` bytes [start, end), as S3's `x-amz-checksum-sha256` carries it. */
  hash(file: Blob, start: number, end: number): Promise<string>;
  close(): void;
}

/** Hashes parts in Web Workers (off the main thread); where workers are unavailable, on the page with Web Crypto. */
export function partHasher(): PartHasher {
  const url = typeof __PART_HASHER_URL__ === 'string' ? __PART_HASHER_URL__ : undefined;
  if (!url || typeof Worker === 'undefined') return onThePage();
  const waiting = new Map<number, { resolve: (sha256: string) => void; reject: (error: Error) => void }>();
  const workers = Array.from({ length: WORKERS }, () => {
    const worker = new Worker(url, { type: 'module', name: 'part-hasher' });
    worker.addEventListener('message', (event: MessageEvent<HashAnswer>) => {
      const answer = event.data;
      const caller = waiting.get(answer.id);
      waiting.delete(answer.id);
      if ('sha256' in answer) caller?.resolve(answer.sha256);
      else caller?.reject(new Error(`The file could not be read again (${answer.error}). Choose it again.`));
    });
    return worker;
  });
  let next = 0;
  return {
    hash(file, start, end) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        (workers[id % WORKERS] as Worker).postMessage({ id, file, start, end } satisfies HashRequest);
      });
    },
    close() {
      for (const worker of workers) worker.terminate();
      for (const caller of waiting.values()) caller.reject(new Error('Hashing was stopped.'));
      waiting.clear();
    },
  };
}

function onThePage(): PartHasher {
  return {
    async hash(file, start, end) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.slice(start, end).arrayBuffer()));
      return base64Of(digest);
    },
    close() {},
  };
}

export function base64Of(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * S3's COMPOSITE SHA-256 of a multipart object: the SHA-256 of the parts' raw digests in
 * order, then `-<part count>`. Computed here for the receipt, and compared with what complete answers.
 */
export async function compositeSha256(partDigests: readonly string[]): Promise<string> {
  const raw = new Uint8Array(partDigests.length * 32);
  partDigests.forEach((digest, index) => {
    raw.set(
      Uint8Array.from(atob(digest), (char) => char.charCodeAt(0)),
      index * 32,
    );
  });
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  return `${base64Of(digest)}-${partDigests.length}`;
}
