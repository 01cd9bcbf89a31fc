import { sha256 } from '@noble/hashes/sha2.js';

/**
 * A multipart upload not yet completed, kept in localStorage so a reload or a closed tab can
 * resume it: what the page needs to ask for the same file again and check it. No token and
 * no URL is kept (the drop page's token stays in its address; signed URLs are asked again).
 */
export interface UnfinishedUpload {
  readonly uploadId: string;
  readonly fileName: string;
  readonly size: number;
  readonly lastModified: number;
  readonly contentType: string;
  readonly partSize: number;
  readonly partCount: number;
  readonly expiresAt: string;
  /** The base64 SHA-256 of part 1: a file chosen again must start with the same bytes. */
  readonly firstPartSha256: string;
}

export interface UnfinishedUploads {
  list(): UnfinishedUpload[];
  save(upload: UnfinishedUpload): void;
  forget(uploadId: string): void;
}

/**
 * The unfinished uploads of one owner or one link, under a key derived from who they belong
 * to (a hash: neither the owner's address nor a link's token is written down).
 */
export function unfinishedUploads(belongsTo: string): UnfinishedUploads {
  const hex = Array.from(sha256(new TextEncoder().encode(belongsTo)).slice(0, 12), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
  const key = `docdrop.unfinished-uploads.${hex}`;
  const read = (): UnfinishedUpload[] => {
    try {
      const stored = JSON.parse(localStorage.getItem(key) ?? '[]') as unknown;
      return Array.isArray(stored) ? (stored as UnfinishedUpload[]) : [];
    } catch {
      return [];
    }
  };
  const write = (uploads: UnfinishedUpload[]) => {
    try {
      if (uploads.length === 0) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(uploads));
    } catch {
      // Storage full or refused (private browsing): the upload goes on; only a resume after a reload is lost.
    }
  };
  return {
    list: read,
    save: (upload) => write([...read().filter((other) => other.uploadId !== upload.uploadId), upload]),
    forget: (uploadId) => write(read().filter((other) => other.uploadId !== uploadId)),
  };
}
