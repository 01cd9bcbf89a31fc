/**
 * The command-line uploader: sends one file to docdrop through an upload link (or as the
 * owner), single PUT below `multipart.thresholdBytes` and in docdrop's planned parts above
 * it, then prints the receipt. Resumable: rerun the same command after a crash or a dropped
 * connection and only the parts storage does not hold yet are sent.
 *
 *   npm run send -- <file> --link '<drop page URL, with its #token>'
 *   DOCDROP_LINK='<drop page URL>' npm run send -- <file>   (the token stays off the command line npm prints)
 *   DOCDROP_ID_TOKEN=... npm run send -- <file> --api https://docs.example.com
 *
 * Tokens are taken from the link's fragment or the environment and are never printed, logged
 * or written to the state file; nor are the presigned URLs.
 */
import { createHash } from 'node:crypto';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { MultipartUpload, PresignedUpload, SignedPart, StoredPart } from '#contracts/api/uploads';
import { multipart, type PartPlan, plannedPartSize, planParts } from '#contracts/limits';
import { declaredTypeOf, formatBytes } from '../web/src/format';

const USAGE = `Usage: npm run send -- <file> --link <drop page URL> [--parallel <n>] [--verbose]
       DOCDROP_LINK=<drop page URL> npm run send -- <file> [...]
       DOCDROP_ID_TOKEN=<owner ID token> npm run send -- <file> --api <docdrop URL> [...]

  --link <url>      an upload link as its owner shared it (https://.../u/#<token>); npm prints
                    its command line, token included: DOCDROP_LINK keeps the link out of it
  --api <url>       docdrop's address, to upload as the owner whose ID token is in DOCDROP_ID_TOKEN
  --type <mime>     the file's type, when its name's ending does not say it
  --parallel <n>    parts in flight at once (default 4)
  --verbose         a line for each part sent
Rerun the same command to resume an interrupted upload.`;

/** How long the receipt waits for the validator's verdict before it says `pending`. */
const OUTCOME_PATIENCE_MS = 60_000;
const PART_ATTEMPTS = 3;

interface Receipt {
  readonly uploadId: string;
  readonly status: 'pending' | 'clean' | 'rejected' | 'expired';
  readonly reason?: string;
  readonly fileId?: string;
  readonly sha256?: string;
  readonly partsSha256?: string;
}

interface Target {
  /** The API's origin, as the web app's `/config.json` names it. */
  readonly apiBase: string;
  /** The header that carries the token. */
  readonly credential: Readonly<Record<string, string>>;
  /** `/api/drop/uploads` for a link, `/api/uploads` for the owner. */
  readonly uploads: string;
  /** Says which link or owner a saved upload belongs to, without keeping the token. */
  readonly caller: string;
}

/** What is kept beside the file between runs: enough to find the upload again and know the file is the same. */
interface SavedUpload {
  readonly uploadId: string;
  readonly apiBase: string;
  readonly caller: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly firstPartSha256: string;
  readonly plan: PartPlan;
  readonly expiresAt: string;
}

class Refused extends Error {}

/** An answer other than 2xx, with the API's own `{ error: { code, message } }`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const fingerprint = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 16);
const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

async function apiBaseOf(origin: string): Promise<string> {
  // The web app may be served apart from its API: its config.json says where the API is.
  const config = await fetch(`${origin}/config.json`)
    .then((response) => (response.ok ? (response.json() as Promise<{ apiUrl?: string }>) : { apiUrl: undefined }))
    .catch(() => {
      throw new Refused(`docdrop could not be reached at ${origin}.`);
    });
  return config.apiUrl ? config.apiUrl.replace(/\/$/, '') : origin;
}

async function targetOf(values: { link?: string; api?: string }): Promise<Target> {
  // From the environment, the link's token is not on the command line npm echoes (nor in `ps`).
  const link = values.link ?? (values.api ? undefined : process.env.DOCDROP_LINK || undefined);
  if (link) {
    const url = new URL(link);
    const token = decodeURIComponent(url.hash.slice(1));
    if (!token) throw new Refused('The link has no token after its #: copy the whole link its owner sent.');
    return {
      apiBase: await apiBaseOf(url.origin),
      credential: { 'x-upload-token': token },
      uploads: '/api/drop/uploads',
      caller: `link:${fingerprint(token)}`,
    };
  }
  const idToken = process.env.DOCDROP_ID_TOKEN;
  if (!values.api || !idToken) throw new Refused(USAGE);
  return {
    apiBase: await apiBaseOf(new URL(values.api).origin),
    credential: { authorization: `Bearer ${idToken}` },
    uploads: '/api/uploads',
    caller: 'owner',
  };
}

async function callTarget<T>(target: Target, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${target.apiBase}${target.uploads}${path}`, {
    method,
    headers: { ...target.credential, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch(() => {
    throw new ApiError(0, 'network', `docdrop could not be reached at ${target.apiBase}.`);
  });
  const text = await response.text();
  const payload = text ? (JSON.parse(text) as { error?: { code?: string; message?: string } }) : undefined;
  if (!response.ok) {
    const error = payload?.error;
    throw new ApiError(response.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${response.status}`);
  }
  return payload as T;
}

async function readRange(path: string, offset: number, length: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(length);
    const { bytesRead } = await file.read(bytes, 0, length, offset);
    if (bytesRead !== length) throw new Refused(`${path} changed while it was being sent: rerun to start again.`);
    return bytes;
  } finally {
    await file.close();
  }
}

/** PUTs bytes to a presigned URL; Content-Length comes from the body, as a browser sends it. */
async function putSigned(url: string, headers: Record<string, string>, bytes: Buffer): Promise<void> {
  const { 'content-length': _length, ...rest } = headers;
  const response = await fetch(url, { method: 'PUT', headers: rest, body: bytes });
  const text = await response.text();
  if (!response.ok) {
    const reason = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
    throw new Error(`storage refused the bytes: ${reason}`);
  }
}

/** Asks confirm again, with doubling waits, until the validator has decided or patience runs out. */
async function confirmUntilDecided(target: Target, first: Receipt): Promise<Receipt> {
  let receipt = first;
  const deadline = Date.now() + OUTCOME_PATIENCE_MS;
  for (let wait = 250; receipt.status === 'pending' && Date.now() + wait <= deadline; wait = Math.min(wait * 2, 4000)) {
    await new Promise((resume) => setTimeout(resume, wait));
    receipt = {
      ...(await callTarget<Receipt>(target, 'POST', `/${first.uploadId}/confirm`)),
      uploadId: first.uploadId,
    };
  }
  return receipt;
}

async function sendWhole(target: Target, path: string, request: object, size: number): Promise<Receipt> {
  const bytes = await readFile(path);
  const signed = await callTarget<PresignedUpload>(target, 'POST', '', { ...request, sha256: sha256Base64(bytes) });
  if (bytes.length !== size) throw new Refused(`${path} changed while it was being sent: rerun to start again.`);
  await putSigned(signed.url, signed.headers, bytes);
  const first = await callTarget<Receipt>(target, 'POST', `/${signed.uploadId}/confirm`);
  return confirmUntilDecided(target, { ...first, uploadId: signed.uploadId });
}

const statePathOf = (path: string): string => `${path}.docdrop-send.json`;

async function savedUploadFor(
  target: Target,
  path: string,
  file: { size: number; mtimeMs: number },
): Promise<SavedUpload | undefined> {
  const saved = await readFile(statePathOf(path), 'utf8')
    .then((text) => JSON.parse(text) as SavedUpload)
    .catch(() => undefined);
  if (!saved) return undefined;
  const plan = planParts(file.size);
  const same =
    saved.apiBase === target.apiBase &&
    saved.caller === target.caller &&
    saved.size === file.size &&
    saved.mtimeMs === file.mtimeMs &&
    saved.plan.partSize === plan.partSize &&
    saved.firstPartSha256 === sha256Base64(await readRange(path, 0, plannedPartSize(plan, file.size, 1)));
  if (!same) {
    console.error('The file or the link changed since the last run: starting a new upload.');
    // The old upload holds a link use and reserved bytes: given back now rather than at its expiry.
    if (saved.apiBase === target.apiBase && saved.caller === target.caller) {
      await callTarget(target, 'DELETE', `/${saved.uploadId}`).catch(() => undefined);
    }
    await rm(statePathOf(path), { force: true });
    return undefined;
  }
  return saved;
}

/** Sends the parts storage does not hold yet, `parallel` at a time, each retried on a dropped connection. */
async function sendMissingParts(
  target: Target,
  path: string,
  saved: SavedUpload,
  held: readonly StoredPart[],
  options: { parallel: number; verbose: boolean },
): Promise<void> {
  const { plan, size, uploadId } = saved;
  const isHeld = (n: number) =>
    held.some((part) => part.partNumber === n && part.size === plannedPartSize(plan, size, n));
  const missing = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !isHeld(n));
  let sentBytes = size - missing.reduce((sum, n) => sum + plannedPartSize(plan, size, n), 0);
  const progress = () => {
    if (process.stderr.isTTY) process.stderr.write(`\rsent ${formatBytes(sentBytes)} of ${formatBytes(size)}   `);
  };
  if (held.length > 0)
    console.error(`Resuming: storage holds ${plan.partCount - missing.length} of ${plan.partCount} parts.`);
  progress();
  const failures: string[] = [];
  const sendPart = async (partNumber: number) => {
    const bytes = await readRange(path, (partNumber - 1) * plan.partSize, plannedPartSize(plan, size, partNumber));
    const sha256 = sha256Base64(bytes);
    for (let attempt = 1; ; attempt++) {
      try {
        // Signed just before sending: a part URL lives minutes, the upload a day.
        const { parts } = await callTarget<{ parts: SignedPart[] }>(target, 'POST', `/${uploadId}/parts`, {
          parts: [{ partNumber, size: bytes.length, sha256 }],
        });
        const signed = parts.find((part) => part.partNumber === partNumber);
        if (!signed) throw new Error(`docdrop did not sign part ${partNumber}`);
        await putSigned(signed.url, signed.headers, bytes);
        break;
      } catch (error) {
        // A refusal of the request itself (4xx) will not change on a retry; a dropped connection may.
        const final = error instanceof ApiError && error.status >= 400 && error.status < 500;
        if (final || attempt === PART_ATTEMPTS) throw error;
        await new Promise((resume) => setTimeout(resume, 1000 * attempt));
      }
    }
    sentBytes += bytes.length;
    if (options.verbose) console.log(`part ${partNumber} of ${plan.partCount} sent (${bytes.length} bytes)`);
    progress();
  };
  const queue = [...missing];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await sendPart(next).catch((error: unknown) => {
        failures.push(`part ${next}: ${(error as Error).message}`);
        queue.length = 0;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (failures.length > 0) {
    throw new Refused(`Not every part was sent (${failures.join('; ')}). Rerun the same command to resume.`);
  }
}

async function sendInParts(
  target: Target,
  path: string,
  request: object,
  file: { size: number; mtimeMs: number },
  options: { parallel: number; verbose: boolean },
): Promise<Receipt> {
  let saved = await savedUploadFor(target, path, file);
  let held: StoredPart[] = [];
  if (saved) {
    try {
      ({ parts: held } = await callTarget<{ parts: StoredPart[] }>(target, 'GET', `/${saved.uploadId}/parts`));
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 409))) throw error;
      // Completed by the last run, whose answer was lost: its receipt, not a second upload.
      const completed = await callTarget<Receipt>(target, 'POST', `/${saved.uploadId}/confirm`).catch(() => undefined);
      await rm(statePathOf(path), { force: true });
      if (completed && completed.status !== 'expired') {
        return confirmUntilDecided(target, { ...completed, uploadId: saved.uploadId });
      }
      console.error(`The earlier upload cannot be resumed (${error.message}): starting a new one.`);
      saved = undefined;
    }
  }
  if (!saved) {
    const plan = planParts(file.size);
    const signed = await callTarget<MultipartUpload>(target, 'POST', '', { ...request, multipart: true });
    if (signed.partSize !== plan.partSize || signed.partCount !== plan.partCount) {
      await callTarget(target, 'DELETE', `/${signed.uploadId}`).catch(() => undefined);
      throw new Refused(
        `docdrop planned ${signed.partCount} parts of ${signed.partSize} bytes; this uploader expects ${plan.partCount} of ${plan.partSize}.`,
      );
    }
    saved = {
      uploadId: signed.uploadId,
      apiBase: target.apiBase,
      caller: target.caller,
      size: file.size,
      mtimeMs: file.mtimeMs,
      firstPartSha256: sha256Base64(await readRange(path, 0, plannedPartSize(plan, file.size, 1))),
      plan,
      expiresAt: signed.expiresAt,
    };
    await writeFile(statePathOf(path), `${JSON.stringify(saved, null, 2)}\n`);
  }
  await sendMissingParts(target, path, saved, held, options);
  const completed = await callTarget<Receipt>(target, 'POST', `/${saved.uploadId}/complete`);
  await rm(statePathOf(path), { force: true });
  return confirmUntilDecided(target, { ...completed, uploadId: saved.uploadId });
}

function printReceipt(name: string, size: number, receipt: Receipt): void {
  const lines: [string, string | undefined][] = [
    ['file', name],
    ['size', formatBytes(size) === `${size} bytes` ? formatBytes(size) : `${formatBytes(size)} (${size} bytes)`],
    ['status', receipt.status],
    ['reason', receipt.reason],
    ['sha256', receipt.sha256],
    ['parts sha256', receipt.partsSha256],
    ['upload', receipt.uploadId],
  ];
  console.log('docdrop receipt');
  for (const [label, value] of lines) if (value !== undefined) console.log(`  ${label.padEnd(13)}${value}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      link: { type: 'string' },
      api: { type: 'string' },
      type: { type: 'string' },
      parallel: { type: 'string', default: '4' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const path = positionals[0];
  if (values.help || !path || positionals.length > 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const file = await stat(path).catch(() => undefined);
  if (!file?.isFile()) throw new Refused(`${path} is not a file.`);
  const target = await targetOf(values);
  const name = basename(path);
  const request = {
    fileName: name,
    // The type from the name's ending, as the web app decides it for a file the system does not type.
    contentType: values.type ?? declaredTypeOf(new File([], name)),
    size: file.size,
  };
  const options = { parallel: Number(values.parallel), verbose: values.verbose };
  const receipt =
    file.size > multipart.thresholdBytes
      ? await sendInParts(target, path, request, file, options)
      : await sendWhole(target, path, request, file.size);
  printReceipt(name, file.size, receipt);
  return receipt.status === 'rejected' || receipt.status === 'expired' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // The API's own message says why (an expired or used-up link, a file too large); never a URL or token.
    const message =
      error instanceof ApiError
        ? `docdrop refused: ${error.message}`
        : error instanceof Refused
          ? error.message
          : `Sending failed: ${(error as Error).message}`;
    console.error(message);
    process.exit(1);
  },
);
