import type { PresignedUpload } from '#contracts/api/uploads';
import { ApiError } from './api-client';
import { type Digest, sha256Of } from './file-digest';
import { declaredTypeOf } from './format';

export type { Digest } from './file-digest';
export type { UploadPolicy } from './upload-checks';

export interface UploadRequest {
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  /** The owner's folder to upload into (the top level without it); links never send one. */
  readonly folderId?: string;
}

/** What the API answers a presign with (contracts/api/uploads.ts). */
export type { PresignedUpload };

export interface UploadOutcome {
  readonly uploadId: string;
  readonly status: 'pending' | 'clean' | 'rejected' | 'expired';
  readonly reason?: string;
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

export interface UploadSteps {
  presign(request: UploadRequest): Promise<PresignedUpload>;
  confirm(uploadId: string): Promise<UploadOutcome>;
  /**
   * Gives up an upload whose PUT failed, so its link use and reserved bytes come back at once
   * rather than when its URL expires: 'arrived' when the server finds the bytes there after all.
   */
  abandon?(uploadId: string): Promise<'given-back' | 'arrived'>;
}

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

/** Hash, presign, PUT, confirm: the one upload path of the portal and the drop page. */
export async function sendFile(
  file: File,
  steps: UploadSteps,
  onStage: (stage: UploadStage) => void,
  onProgress: (sent: number, total: number) => void,
): Promise<{ outcome: UploadOutcome; digest: Digest }> {
  onStage('hashing');
  const digest = await sha256Of(file);
  onStage('signing');
  const upload = await steps.presign({
    fileName: file.name,
    contentType: declaredTypeOf(file),
    size: file.size,
    sha256: digest.base64,
  });
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
