import type { MultipartUpload, PresignedUpload, StoredPart } from '#contracts/api/uploads';
import { multipart, plannedPartSize } from '#contracts/limits';
import { ApiError } from './api-client';
import { type Digest, sha256Of } from './file-digest';
import { declaredTypeOf } from './format';
import { type MultipartSteps, sendParts, withRetries } from './multipart-upload';
import { compositeSha256, type PartHasher, partHasher } from './part-hashes';
import type { UnfinishedUpload, UnfinishedUploads } from './unfinished-uploads';

export type { Digest } from './file-digest';
export type { UploadPolicy } from './upload-checks';

export interface UploadRequest {
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  /** Required for a single PUT; a multipart upload leaves it out (each part is pinned to its own). */
  readonly sha256?: string;
  readonly multipart?: boolean;
  /** The owner's folder to upload into (the top level without it); links never send one. */
  readonly folderId?: string;
}

/** What the API answers a presign with (contracts/api/uploads.ts). */
export type { MultipartUpload, PresignedUpload };

export interface UploadOutcome {
  readonly uploadId: string;
  readonly status: 'pending' | 'clean' | 'rejected' | 'expired' | 'held';
  readonly reason?: string;
  /** A multipart upload's COMPOSITE SHA-256 as storage computed it (`<base64>-<parts>`). */
  readonly partsSha256?: string;
}

/**
 * PUTs the file straight to S3 with exactly the signed headers (XMLHttpRequest, for upload
 * progress). Content-Length is the one the browser sets itself from the body; it may not be set by script.
 */
export function putToStorage(
  upload: PresignedUpload,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    for (const [name, value] of Object.entries(upload.headers)) {
      if (name.toLowerCase() !== 'content-length') request.setRequestHeader(name, value);
    }
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(new Error(`Storage refused the file (HTTP ${request.status}).`));
    });
    request.addEventListener('error', () => reject(new Error('The connection broke while sending. Try again.')));
    request.addEventListener('timeout', () => reject(new Error('Sending took too long. Try again.')));
    request.send(file);
  });
}

export type UploadStage = 'hashing' | 'signing' | 'sending' | 'confirming';

/** What a page needs to send files above `multipart.thresholdBytes` in parts, and to resume them. */
export interface PartSteps extends MultipartSteps {
  complete(uploadId: string): Promise<UploadOutcome>;
  readonly unfinished: UnfinishedUploads;
}

export interface UploadSteps {
  presign(request: UploadRequest): Promise<PresignedUpload | MultipartUpload>;
  confirm(uploadId: string): Promise<UploadOutcome>;
  /**
   * Gives up an upload whose PUT failed, so its link use and reserved bytes come back at once
   * rather than when its URL expires: 'arrived' when the server finds the bytes there after all.
   */
  abandon?(uploadId: string): Promise<'given-back' | 'arrived'>;
  /** Present: a file above `multipart.thresholdBytes` goes in parts. */
  readonly parts?: PartSteps;
}

/** Whether `sendFile` sends this file in parts (and so whether it can be cancelled and resumed). */
export const sentInParts = (file: Blob, steps: UploadSteps): boolean =>
  steps.parts !== undefined && file.size > multipart.thresholdBytes;

/** Given up (204), or refused because the bytes arrived (409 `upload_arrived`): the two answers of DELETE .../uploads/{id}. */
export async function abandonUpload(give: () => Promise<void>): Promise<'given-back' | 'arrived'> {
  try {
    await give();
    return 'given-back';
  } catch (error) {
    if (error instanceof ApiError && error.code === 'upload_arrived') return 'arrived';
    throw error;
  }
}

/**
 * Hash, presign, PUT, confirm: the one upload path of the portal and the drop page. Above
 * `multipart.thresholdBytes` (when the page can): presign in parts, send them, complete.
 */
export async function sendFile(
  file: File,
  steps: UploadSteps,
  onStage: (stage: UploadStage) => void,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<{ outcome: UploadOutcome; digest: Digest }> {
  if (steps.parts && sentInParts(file, steps)) {
    return inParts(
      steps,
      steps.parts,
      async (hasher) => {
        onStage('signing');
        // No whole-file SHA-256: it would mean reading the file twice; S3 checks every part's, and their composite.
        const upload = await steps.presign({
          fileName: file.name,
          contentType: declaredTypeOf(file),
          size: file.size,
          multipart: true,
        });
        if (upload.method !== 'MULTIPART') throw new Error('docdrop answered a single PUT to a request for parts.');
        onStage('hashing');
        const firstPartSha256 = await hasher.hash(file, 0, plannedPartSize(upload, file.size, 1));
        const unfinished: UnfinishedUpload = {
          uploadId: upload.uploadId,
          fileName: file.name,
          size: file.size,
          lastModified: file.lastModified,
          contentType: declaredTypeOf(file),
          partSize: upload.partSize,
          partCount: upload.partCount,
          expiresAt: upload.expiresAt,
          firstPartSha256,
        };
        steps.parts?.unfinished.save(unfinished);
        return { unfinished, held: [] };
      },
      file,
      onStage,
      onProgress,
      signal,
    );
  }
  onStage('hashing');
  const digest = await sha256Of(file);
  onStage('signing');
  const upload = await steps.presign({
    fileName: file.name,
    contentType: declaredTypeOf(file),
    size: file.size,
    sha256: digest.base64,
  });
  if (upload.method !== 'PUT') throw new Error('docdrop answered parts to a request for a single PUT.');
  onStage('sending');
  try {
    await putToStorage(upload, file, onProgress);
  } catch (error) {
    // A PUT whose answer was lost may still have landed: the server knows. Arrived, it is
    // confirmed as usual; otherwise it is given up (if the server cannot be reached either,
    // the sweep gives it back once its URL expires) and the client may simply try again.
    const fate = await steps.abandon?.(upload.uploadId).catch(() => 'unknown' as const);
    if (fate !== 'arrived') throw error;
  }
  onStage('confirming');
  const outcome = await steps.confirm(upload.uploadId);
  return { outcome, digest };
}

/** Refused before any byte is sent: not the file the unfinished upload was for, or the upload is gone. */
export class ResumeRefused extends Error {
  constructor(
    message: string,
    /** The stored upload was forgotten (expired, or storage no longer has it). */
    readonly forgotten: boolean,
  ) {
    super(message);
  }
}

/**
 * What storage holds of an unfinished upload, or why it cannot be resumed (then it is
 * forgotten): past its `expiresAt`, or the API no longer has it open (404, 409).
 */
export async function partsHeld(unfinished: UnfinishedUpload, parts: PartSteps): Promise<StoredPart[]> {
  const gone = (why: string) => {
    parts.unfinished.forget(unfinished.uploadId);
    return new ResumeRefused(`The unfinished upload of ${unfinished.fileName} ${why}; send it again.`, true);
  };
  if (Date.parse(unfinished.expiresAt) <= Date.now()) throw gone('expired');
  try {
    return await parts.listParts(unfinished.uploadId);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 409)) throw gone('is no longer open');
    throw error;
  }
}

/**
 * Resumes an unfinished upload with the file the person chose again: the same size and the
 * same first part (its SHA-256 as stored, and as storage holds it), then only the parts
 * storage does not hold are sent.
 */
export function resumeFile(
  file: File,
  unfinished: UnfinishedUpload,
  steps: UploadSteps & { parts: PartSteps },
  onStage: (stage: UploadStage) => void,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<{ outcome: UploadOutcome; digest: Digest }> {
  const parts = steps.parts;
  return inParts(
    steps,
    parts,
    async (hasher) => {
      const different = (why: string) =>
        new ResumeRefused(
          `${file.name} is not the file this upload was for (${why}). Choose ${unfinished.fileName} again.`,
          false,
        );
      if (file.size !== unfinished.size) {
        throw different(`${file.size.toLocaleString()} bytes, not ${unfinished.size.toLocaleString()}`);
      }
      onStage('hashing');
      const held = await partsHeld(unfinished, parts);
      const first = await hasher.hash(file, 0, plannedPartSize(unfinished, file.size, 1));
      const heldFirst = held.find((part) => part.partNumber === 1)?.sha256;
      if (first !== unfinished.firstPartSha256 || (heldFirst !== undefined && heldFirst !== first)) {
        throw different('its first bytes differ');
      }
      return { unfinished, held };
    },
    file,
    onStage,
    onProgress,
    signal,
  );
}

/**
 * The parts of a multipart upload, then complete. Cancelled: aborted at the API (its use and
 * bytes given back) and forgotten. Failed otherwise: kept, so the page offers to resume it.
 */
async function inParts(
  steps: UploadSteps,
  parts: PartSteps,
  begin: (hasher: PartHasher) => Promise<{ unfinished: UnfinishedUpload; held: StoredPart[] }>,
  file: File,
  onStage: (stage: UploadStage) => void,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<{ outcome: UploadOutcome; digest: Digest }> {
  const hasher = partHasher();
  let uploadId: string | undefined;
  try {
    const { unfinished, held } = await begin(hasher);
    uploadId = unfinished.uploadId;
    onStage('sending');
    const digests = await sendParts({ file, upload: unfinished, steps: parts, hasher, held, onProgress, signal });
    onStage('confirming');
    const outcome = await withRetries(() => parts.complete(unfinished.uploadId), signal);
    parts.unfinished.forget(unfinished.uploadId);
    return { outcome, digest: partsDigest(outcome.partsSha256 ?? (await compositeSha256(digests))) };
  } catch (error) {
    if (signal?.aborted && uploadId) {
      parts.unfinished.forget(uploadId);
      await steps.abandon?.(uploadId).catch(() => undefined);
      throw new Error('Cancelled: nothing of it was kept.');
    }
    if (uploadId && !(error instanceof ResumeRefused)) {
      throw new Error(`${(error as Error).message} What was sent is kept: resume it from this page.`);
    }
    throw error;
  } finally {
    hasher.close();
  }
}

/** A composite checksum as the receipt shows it: the hex of its digest, then `-<parts>`. */
function partsDigest(composite: string): Digest {
  const [base64 = '', count = ''] = composite.split('-');
  const hex = Array.from(atob(base64), (char) => char.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return { base64: composite, hex: `${hex}-${count}`, parts: Number(count) };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks confirm again (it answers the upload's current state and is recorded only once) with
 * doubling waits until the validator has decided, or until `patienceMs` has gone by: then the
 * last answer, still `pending`, is what the caller shows.
 */
export async function followUntilDecided(
  confirm: UploadSteps['confirm'],
  outcome: UploadOutcome,
  patienceMs: number,
): Promise<UploadOutcome> {
  let current = outcome;
  const deadline = Date.now() + patienceMs;
  for (
    let wait = 500;
    current.status === 'pending' && Date.now() + wait <= deadline;
    wait = Math.min(wait * 2, 8_000)
  ) {
    await delay(wait);
    current = await confirm(current.uploadId);
  }
  return current;
}
