import type { MultipartUpload, SignedPart, StoredPart } from '#contracts/api/uploads';
import { multipart, plannedPartSize } from '#contracts/limits';
import { ApiError } from './api-client';
import type { PartHasher } from './part-hashes';

/** The API calls of a multipart upload beyond presign (contracts/api/uploads.ts), for the owner or a link. */
export interface MultipartSteps {
  signParts(uploadId: string, parts: { partNumber: number; size: number; sha256: string }[]): Promise<SignedPart[]>;
  listParts(uploadId: string): Promise<StoredPart[]>;
}

export interface PartTuning {
  /** Parts on the wire at once. */
  readonly concurrency: number;
  /** Tries per part before the upload stops (it stays resumable from the page). */
  readonly maxAttempts: number;
  readonly firstRetryMs: number;
  readonly longestRetryMs: number;
  /** How long a part waits for the browser to be back online before that counts as a failed try. */
  readonly offlineWaitMs: number;
}

export const PART_TUNING: PartTuning = {
  concurrency: 4,
  maxAttempts: 8,
  firstRetryMs: 1000,
  longestRetryMs: 30_000,
  offlineWaitMs: 10 * 60_000,
};

/** Parts hashed ahead of the ones being sent, so signing can take several in one call. */
const HASH_AHEAD = 8;
/** A URL this close to its expiry is signed again rather than started: a part of 8 MiB on a slow phone takes a while. */
const URL_MARGIN_MS = 60_000;

export interface PartsOptions {
  readonly file: Blob;
  readonly upload: Pick<MultipartUpload, 'uploadId' | 'partSize' | 'partCount'>;
  readonly steps: MultipartSteps;
  readonly hasher: PartHasher;
  /** What storage already holds (a resume): those parts are not sent again. */
  readonly held?: readonly StoredPart[];
  /** Bytes of finished parts plus bytes of parts in flight, over the whole file. */
  readonly onProgress: (sent: number, total: number) => void;
  readonly signal?: AbortSignal;
  readonly tuning?: PartTuning;
}

/** Why a part's PUT failed: what decides whether it is tried again. */
type Failure = 'network' | 'expired' | 'busy' | 'refused';

class PartFailed extends Error {
  constructor(
    readonly failure: Failure,
    message: string,
  ) {
    super(message);
  }
}

export const cancelled = (): DOMException => new DOMException('The upload was cancelled.', 'AbortError');

/**
 * Sends every part storage does not hold yet, `concurrency` at once, each pinned by its signed
 * URL to its length and SHA-256. A part that fails for the network, a busy server or an
 * expired URL is tried again with doubling waits (after asking storage whether it landed
 * after all); a part storage refuses outright stops the upload. Answers each part's SHA-256
 * in order (for the composite checksum of the receipt).
 */
export async function sendParts(options: PartsOptions): Promise<string[]> {
  const { file, upload, steps, hasher, signal } = options;
  const tuning = options.tuning ?? PART_TUNING;
  const plan = { partSize: upload.partSize, partCount: upload.partCount };
  const sizeOf = (partNumber: number) => plannedPartSize(plan, file.size, partNumber);
  const digests = new Map<number, Promise<string>>();
  const known = new Map<number, string>();
  const urls = new Map<number, SignedPart>();
  const inFlight = new Map<number, number>();
  let doneBytes = 0;
  const report = () => {
    let sent = doneBytes;
    for (const loaded of inFlight.values()) sent += loaded;
    options.onProgress(sent, file.size);
  };

  const queue: number[] = [];
  const heldNow = new Map((options.held ?? []).map((part) => [part.partNumber, part]));
  for (let partNumber = 1; partNumber <= plan.partCount; partNumber++) {
    const part = heldNow.get(partNumber);
    if (part && part.size === sizeOf(partNumber)) {
      known.set(partNumber, part.sha256);
      digests.set(partNumber, Promise.resolve(part.sha256));
      doneBytes += part.size;
    } else queue.push(partNumber);
  }
  report();

  const digestOf = (partNumber: number): Promise<string> => {
    let digest = digests.get(partNumber);
    if (!digest) {
      const start = (partNumber - 1) * plan.partSize;
      digest = hasher.hash(file, start, start + sizeOf(partNumber)).then((sha256) => {
        known.set(partNumber, sha256);
        return sha256;
      });
      digests.set(partNumber, digest);
    }
    return digest;
  };

  let signing: Promise<void> | undefined;
  const fresh = (partNumber: number) => {
    const signed = urls.get(partNumber);
    return signed !== undefined && Date.parse(signed.expiresAt) - Date.now() > URL_MARGIN_MS;
  };
  // Parts whose lanes wait for a URL: the next signing call takes them all, not one call each.
  const wanting = new Set<number>();
  // One signing call at a time, taking every part waiting and every hashed part queued (up to the batch limit).
  const urlFor = async (partNumber: number): Promise<SignedPart> => {
    wanting.add(partNumber);
    for (;;) {
      if (fresh(partNumber)) {
        wanting.delete(partNumber);
        return urls.get(partNumber) as SignedPart;
      }
      if (signing) {
        await signing.catch(() => undefined);
        continue;
      }
      const others = [...wanting, ...queue.filter((other) => known.has(other))].filter(
        (other) => other !== partNumber && !fresh(other),
      );
      const batch = [partNumber, ...new Set(others)]
        .slice(0, multipart.signBatchMax)
        .map((number) => ({ partNumber: number, size: sizeOf(number), sha256: known.get(number) as string }));
      signing = steps.signParts(upload.uploadId, batch).then((signed) => {
        for (const part of signed) urls.set(part.partNumber, part);
      });
      try {
        await signing;
      } catch (error) {
        wanting.delete(partNumber);
        throw error;
      } finally {
        signing = undefined;
      }
      if (!fresh(partNumber)) {
        wanting.delete(partNumber);
        throw new PartFailed('refused', `docdrop did not sign part ${partNumber}.`);
      }
    }
  };

  let listing: Promise<StoredPart[]> | undefined;
  // A PUT whose answer was lost may have landed: asked once for all the parts that failed together.
  const landed = async (partNumber: number, sha256: string): Promise<boolean> => {
    listing ??= steps.listParts(upload.uploadId).finally(() => setTimeout(() => (listing = undefined), 0));
    const parts = await listing.catch(() => []);
    return parts.some(
      (part) => part.partNumber === partNumber && part.size === sizeOf(partNumber) && part.sha256 === sha256,
    );
  };

  const sendOne = async (partNumber: number): Promise<void> => {
    const start = (partNumber - 1) * plan.partSize;
    const size = sizeOf(partNumber);
    for (let attempt = 1; ; attempt++) {
      const sha256 = await digestOf(partNumber);
      for (const ahead of queue.slice(0, HASH_AHEAD)) void digestOf(ahead).catch(() => undefined);
      try {
        const signed = await urlFor(partNumber).catch(asFailure);
        await putPart(signed, file.slice(start, start + size), signal, (loaded) => {
          inFlight.set(partNumber, loaded);
          report();
        });
        inFlight.delete(partNumber);
        doneBytes += size;
        report();
        return;
      } catch (error) {
        inFlight.delete(partNumber);
        report();
        if (signal?.aborted) throw cancelled();
        if (!(error instanceof PartFailed) || error.failure === 'refused') throw error;
        if (error.failure === 'expired') urls.delete(partNumber);
        if (attempt >= tuning.maxAttempts) {
          throw new Error(`Part ${partNumber} could not be sent after ${attempt} tries (${error.message}).`);
        }
        await waitToRetry(attempt, tuning, signal);
        if (error.failure === 'network' && (await landed(partNumber, sha256))) {
          doneBytes += size;
          report();
          return;
        }
      }
    }
  };

  const lane = async (): Promise<void> => {
    for (let partNumber = queue.shift(); partNumber !== undefined; partNumber = queue.shift()) {
      if (signal?.aborted) throw cancelled();
      await sendOne(partNumber);
    }
  };
  const lanes = Array.from({ length: Math.min(tuning.concurrency, Math.max(1, queue.length)) }, lane);
  // The first failure stops the others taking new parts; the parts already on the wire finish or fail.
  const stopTaking = (error: unknown) => {
    queue.length = 0;
    throw error;
  };
  await Promise.all(lanes.map((running) => running.catch(stopTaking)));
  return Promise.all(Array.from({ length: plan.partCount }, (_, index) => digestOf(index + 1)));
}

const worthRetrying = (error: unknown): error is ApiError =>
  error instanceof ApiError && (error.status === 0 || error.status === 503 || error.status === 429);

/** An API call that failed: the network and a busy server are worth another try; a refusal is not. */
function asFailure(error: unknown): never {
  if (worthRetrying(error)) throw new PartFailed(error.status === 0 ? 'network' : 'busy', error.message);
  throw error instanceof PartFailed ? error : new PartFailed('refused', (error as Error).message);
}

/**
 * An API call of the upload (complete) tried again like a part, when the network or a busy
 * server failed it: the parts are in storage, and a dropped connection must not lose them.
 */
export async function withRetries<T>(
  call: () => Promise<T>,
  signal?: AbortSignal,
  tuning: PartTuning = PART_TUNING,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!worthRetrying(error) || attempt >= tuning.maxAttempts) throw error;
      await waitToRetry(attempt, tuning, signal);
    }
  }
}

/** Doubling waits with jitter; offline, until the browser is back online (bounded by `offlineWaitMs`). */
async function waitToRetry(attempt: number, tuning: PartTuning, signal?: AbortSignal): Promise<void> {
  const backoff = Math.min(tuning.firstRetryMs * 2 ** (attempt - 1), tuning.longestRetryMs);
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  const wait = offline ? tuning.offlineWaitMs : backoff * (0.75 + Math.random() / 2);
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      globalThis.removeEventListener?.('online', done);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    const stop = () => {
      clearTimeout(timer);
      globalThis.removeEventListener?.('online', done);
      reject(cancelled());
    };
    const timer = setTimeout(done, wait);
    if (offline) globalThis.addEventListener?.('online', done);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * PUTs one part with XMLHttpRequest (for upload progress) and only the signed headers that a
 * script may set: the browser sets Content-Length from the body itself.
 */
function putPart(
  signed: SignedPart,
  body: Blob,
  signal: AbortSignal | undefined,
  onLoaded: (loaded: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const request = new XMLHttpRequest();
    request.open('PUT', signed.url);
    request.setRequestHeader('x-amz-checksum-sha256', signed.headers['x-amz-checksum-sha256']);
    request.upload.addEventListener('progress', (event) => onLoaded(event.loaded));
    const abort = () => request.abort();
    signal?.addEventListener('abort', abort, { once: true });
    const settle = (error?: Error) => {
      signal?.removeEventListener('abort', abort);
      if (error) reject(error);
      else resolve();
    };
    request.addEventListener('load', () => {
      const status = request.status;
      if (status >= 200 && status < 300) return settle();
      // S3 answers an expired presigned URL 403 AccessDenied ("Request has expired"): sign again.
      if (status === 403) return settle(new PartFailed('expired', `storage refused the URL (HTTP ${status})`));
      if (status >= 500 || status === 429) return settle(new PartFailed('busy', `storage answered HTTP ${status}`));
      settle(
        new PartFailed(
          'refused',
          `Storage refused part ${signed.partNumber} (HTTP ${status}): the file may have changed since it was chosen.`,
        ),
      );
    });
    request.addEventListener('error', () => settle(new PartFailed('network', 'the connection broke')));
    request.addEventListener('timeout', () => settle(new PartFailed('network', 'the connection timed out')));
    request.addEventListener('abort', () => settle(cancelled()));
    request.send(body);
  });
}
