import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  copyFile,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { s3Limits } from '#contracts/limits';

const require = createRequire(import.meta.url);

/**
 * What s3rver lacks and S3 does, for multipart and checksums: ListParts, AbortMultipartUpload, UploadPartCopy,
 * part and PUT SHA-256 checks, CompleteMultipartUpload's checks and composite checksum,
 * If-None-Match on PUT and complete. One Koa middleware, spliced into s3rver's router right after
 * its authentication middleware, so every request here is still SigV4-verified by s3rver.
 */

interface S3ErrorClass {
  new (code: string, message: string, detail?: Record<string, string>): Error;
}
interface FilesystemStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getBucket(bucket: string): Promise<unknown>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5: string): Promise<void>;
  getObject(
    bucket: string,
    key: string,
    range: { start?: number; end?: number },
  ): Promise<{ content?: Readable & { destroy(): void }; range?: { end: number }; size: number } | undefined>;
}
interface Ctx {
  method: string;
  path: string;
  href: string;
  ip: string;
  params: { bucket?: string; key?: string };
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  request: { body?: unknown };
  req: Readable;
  app: { emit(event: string, payload: unknown): void };
  store: FilesystemStore;
  status: number;
  body: unknown;
  etag: string;
  set(name: string, value: string): void;
}
type Next = () => Promise<void>;
interface Layer {
  stack: { name: string }[];
}

const S3Error: S3ErrorClass = require('@20minutes/s3rver/lib/models/error');
const S3Object = require('@20minutes/s3rver/lib/models/object');
const S3Event = require('@20minutes/s3rver/lib/models/event');
const { xmlBodyParser } = require('@20minutes/s3rver/lib/utils');
const { aws4SignatureBodyParser } = require('@20minutes/s3rver/lib/signature/v4');
/** The query parameters that name a subresource (s3rver's router's own list): without one, a PUT is PutObject. */
const SUBRESOURCES: readonly string[] = [
  ...require('@20minutes/s3rver/lib/controllers/object').METHODS,
  ...require('@20minutes/s3rver/lib/controllers/bucket').METHODS,
];

/** The sidecar next to an object that holds the checksum S3 returns with `x-amz-checksum-mode: ENABLED`. */
export const CHECKSUM_RESOURCE = 'checksum.json';

interface StoredChecksum {
  readonly sha256: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}
interface UploadInfo {
  readonly key: string;
  readonly checksumAlgorithm?: 'SHA256';
  /** ms since epoch: S3 dates a multipart object from the upload's creation. */
  readonly initiatedAt: number;
}
interface StoredPart {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly sha256: string;
  readonly lastModified: string;
  /** Where the bytes are in the upload's assembly file; absent: in the part's own file. */
  readonly slot?: number;
}

const noSuchUpload = () =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  );
const badDigest = () => new S3Error('BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
const preconditionFailed = () =>
  new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
    Condition: 'If-None-Match',
  });
const invalidPart = () =>
  new S3Error(
    'InvalidPart',
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  );
const checksumTypeMismatch = (expected: string, actual: string) =>
  new S3Error(
    'InvalidRequest',
    `Checksum Type mismatch occurred, expected checksum Type: ${expected}, actual checksum Type: ${actual}`,
  );

const uploadDir = (ctx: Ctx, uploadId: string): string => {
  // An id is our own hex: anything else cannot name an upload (and must not walk the disk).
  if (!/^[0-9a-f]{32}$/.test(uploadId)) throw noSuchUpload();
  return join(ctx.store.getResourcePath(ctx.params.bucket as string, undefined, 'uploads'), uploadId);
};

async function readUpload(ctx: Ctx, uploadId: string | undefined): Promise<{ dir: string; info: UploadInfo }> {
  const dir = uploadDir(ctx, uploadId ?? '');
  const info: UploadInfo | undefined = await readFile(join(dir, 'upload.json'), 'utf8')
    .then(JSON.parse)
    .catch(() => undefined);
  // S3 answers NoSuchUpload, not a mismatch, for an id created for another key.
  if (!info || info.key !== ctx.params.key) throw noSuchUpload();
  return { dir, info };
}

const tempName = (path: string) => `${path}.${randomBytes(6).toString('hex')}.tmp`;

/** Streams `body` into `destination`, hashing as it writes: nothing is held in memory. */
async function writeHashed(body: Readable, destination: Writable) {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      sha256.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(body, hashing, destination);
  return { size, md5: md5.digest(), sha256: sha256.digest('base64') };
}

/** The same into a temporary file beside `path`, removed if the body fails. */
async function writeHashedToTemp(body: Readable, path: string) {
  const temp = tempName(path);
  await mkdir(dirname(path), { recursive: true });
  try {
    return { temp, ...(await writeHashed(body, createWriteStream(temp))) };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The declared SHA-256 must match the bytes: otherwise nothing is kept, as S3 keeps nothing. */
async function refuseUnlessDigestMatches(written: { temp: string; sha256: string }, declared: string | undefined) {
  if (declared !== undefined && declared !== written.sha256) {
    await rm(written.temp, { force: true });
    throw badDigest();
  }
}

/**
 * Puts the finished file in place. With `If-None-Match: *` a hard link, which fails if the object
 * exists, so of two racers exactly one wins (S3's conditional write), however close they are.
 */
async function placeObject(temp: string, objectPath: string, ifNoneMatch: boolean): Promise<void> {
  try {
    if (!ifNoneMatch) return await rename(temp, objectPath);
    await link(temp, objectPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') throw preconditionFailed();
      throw error;
    });
  } finally {
    await rm(temp, { force: true });
  }
}

/** S3 supports only `*` for If-None-Match on writes. */
function ifNoneMatchOf(ctx: Ctx): boolean {
  const value = ctx.headers['if-none-match'];
  if (value === undefined) return false;
  if (value.trim() !== '*')
    throw new S3Error('NotImplemented', 'A header you provided implies functionality that is not implemented', {
      Header: 'If-None-Match',
    });
  return true;
}

async function existsObject(ctx: Ctx): Promise<boolean> {
  const path = ctx.store.getResourcePath(ctx.params.bucket as string, ctx.params.key as string, 'object');
  return stat(path).then(
    () => true,
    () => false,
  );
}

function emitCreated(ctx: Ctx, eventName: string, size: number, etag: string): void {
  const event = new S3Event(
    {
      bucket: ctx.params.bucket,
      eventType: 'Put',
      S3Item: new S3Object(ctx.params.bucket, ctx.params.key, null, {
        'content-length': size,
        etag: JSON.stringify(etag),
      }),
    },
    { reqHeaders: ctx.headers, sourceIp: ctx.ip },
  );
  event.Records[0].eventName = eventName;
  ctx.app.emit('event', event);
}

async function writeObject(
  ctx: Ctx,
  temp: string,
  ifNoneMatch: boolean,
  stored: { metadata: Record<string, unknown>; etag: string; checksum?: StoredChecksum; lastModified?: number },
) {
  const bucket = ctx.params.bucket as string;
  const key = ctx.params.key as string;
  const objectPath = ctx.store.getResourcePath(bucket, key, 'object');
  if (stored.lastModified !== undefined) await utimes(temp, new Date(), new Date(stored.lastModified));
  await placeObject(temp, objectPath, ifNoneMatch);
  const checksumPath = ctx.store.getResourcePath(bucket, key, CHECKSUM_RESOURCE);
  const { checksum } = stored;
  await (checksum
    ? replaceWhole(checksumPath, (temp) => writeFile(temp, JSON.stringify(checksum)))
    : rm(checksumPath, { force: true }));
  await ctx.store.putMetadata(bucket, key, new S3Object(bucket, key, null, stored.metadata).metadata, stored.etag);
}

/** PutObject: the body checked against `x-amz-checksum-sha256`, and `If-None-Match: *` enforced. */
async function putObject(ctx: Ctx): Promise<void> {
  const ifNoneMatch = ifNoneMatchOf(ctx);
  if (ifNoneMatch && (await existsObject(ctx))) throw preconditionFailed();
  aws4SignatureBodyParser(ctx);
  const objectPath = ctx.store.getResourcePath(ctx.params.bucket as string, ctx.params.key as string, 'object');
  const written = await writeHashedToTemp(ctx.request.body as Readable, objectPath);
  const declared = ctx.headers['x-amz-checksum-sha256'];
  await refuseUnlessDigestMatches(written, declared);
  const etag = written.md5.toString('hex');
  await writeObject(ctx, written.temp, ifNoneMatch, {
    metadata: ctx.headers,
    etag,
    checksum: declared ? { sha256: written.sha256, type: 'FULL_OBJECT' } : undefined,
  });
  emitCreated(ctx, 'ObjectCreated:Put', written.size, etag);
  if (declared) ctx.set('x-amz-checksum-sha256', written.sha256);
  ctx.etag = etag;
  ctx.body = '';
}

async function createMultipartUpload(ctx: Ctx): Promise<void> {
  const algorithm = ctx.headers['x-amz-checksum-algorithm']?.toUpperCase();
  if (algorithm !== undefined && algorithm !== 'SHA256') {
    throw new S3Error('InvalidRequest', `The emulator supports only SHA256 checksums, not ${algorithm}`);
  }
  const uploadId = randomBytes(16).toString('hex');
  const dir = uploadDir(ctx, uploadId);
  await mkdir(dir, { recursive: true });
  const info: UploadInfo = { key: ctx.params.key as string, checksumAlgorithm: algorithm, initiatedAt: Date.now() };
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(ctx.headers));
  // Written last: an upload exists once this file does.
  await writeFile(join(dir, 'upload.json'), JSON.stringify(info));
  if (algorithm) {
    ctx.set('x-amz-checksum-algorithm', algorithm);
    ctx.set('x-amz-checksum-type', 'COMPOSITE');
  }
  ctx.body = { InitiateMultipartUploadResult: { Bucket: ctx.params.bucket, Key: ctx.params.key, UploadId: uploadId } };
}

function partNumberOf(value: string | undefined): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > s3Limits.maxParts) {
    throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      ArgumentName: 'partNumber',
      ArgumentValue: String(value),
    });
  }
  return number;
}

/**
 * Parts are written in place, into one assembly file at `(partNumber - 1) * stride`, so that
 * complete renames it instead of copying the object a second time (on a small disk, the copy
 * doubled what a multipart upload wrote). The stride is the size of the first part of at least
 * 5 MiB; a part that does not fit its slot, or comes again for a slot already used (a retry, a
 * replacement), goes to a file of its own, and complete copies it over.
 */
const assemblyOf = (dir: string) => join(dir, 'assembly');

async function strideOf(dir: string, length?: number): Promise<number | undefined> {
  if (length !== undefined && length >= s3Limits.minPartBytes) {
    await writeFile(join(dir, 'stride'), String(length), { flag: 'wx' }).catch(() => undefined);
  }
  const stride = Number(await readFile(join(dir, 'stride'), 'utf8').catch(() => ''));
  return stride > 0 ? stride : undefined;
}

async function claimSlot(dir: string, partNumber: number, length: number): Promise<number | undefined> {
  if (!Number.isInteger(length) || length <= 0) return undefined;
  const stride = await strideOf(dir, length);
  if (stride === undefined || length > stride) return undefined;
  // The first writer of a slot has it (an exclusive create); any later one writes a file of its own.
  const claimed = await writeFile(join(dir, `${partNumber}.slot`), '', { flag: 'wx' }).then(
    () => true,
    () => false,
  );
  if (!claimed) return undefined;
  await (await open(assemblyOf(dir), 'a')).close();
  return (partNumber - 1) * stride;
}

async function uploadPart(ctx: Ctx): Promise<void> {
  const { dir, info } = await readUpload(ctx, ctx.query.uploadId);
  const partNumber = partNumberOf(ctx.query.partNumber);
  const declared = ctx.headers['x-amz-checksum-sha256'];
  if (info.checksumAlgorithm && declared === undefined) throw checksumTypeMismatch('sha256', 'null');
  if (!info.checksumAlgorithm && declared !== undefined) throw checksumTypeMismatch('null', 'sha256');
  if (Number(ctx.headers['content-length']) > s3Limits.maxPartBytes) {
    throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  }
  aws4SignatureBodyParser(ctx);
  const length = Number(ctx.headers['x-amz-decoded-content-length'] ?? ctx.headers['content-length']);
  const part = await storePart(dir, partNumber, ctx.request.body as Readable, length, declared);
  if (declared) ctx.set('x-amz-checksum-sha256', part.sha256);
  ctx.etag = part.etag;
  ctx.body = '';
}

/**
 * Writes a part's bytes (in place in the assembly file when its slot fits, else beside it) and
 * then its record, checked against a declared SHA-256 if any.
 */
async function storePart(
  dir: string,
  partNumber: number,
  body: Readable,
  length: number,
  declared: string | undefined,
): Promise<StoredPart> {
  const partPath = join(dir, String(partNumber));
  const slot = await claimSlot(dir, partNumber, length);
  let written: { size: number; md5: Buffer; sha256: string };
  if (slot === undefined) {
    const inFile = await writeHashedToTemp(body, partPath);
    await refuseUnlessDigestMatches(inFile, declared);
    await rename(inFile.temp, partPath);
    written = inFile;
  } else {
    // A refused body leaves its slot unused: the record below is what names a part's bytes.
    written = await writeHashed(body, createWriteStream(assemblyOf(dir), { flags: 'r+', start: slot }));
    if (declared !== undefined && declared !== written.sha256) throw badDigest();
  }
  const part: StoredPart = {
    partNumber,
    size: written.size,
    etag: written.md5.toString('hex'),
    sha256: written.sha256,
    lastModified: new Date().toISOString(),
    ...(slot === undefined ? {} : { slot }),
  };
  // The record is renamed into place after the bytes: a reader sees the new part or the old one.
  const recordTemp = tempName(`${partPath}.json`);
  await writeFile(recordTemp, JSON.stringify(part));
  await rename(recordTemp, `${partPath}.json`);
  return part;
}

/**
 * UploadPartCopy: a range of a stored object becomes a part of an upload here (s3rver's own
 * would store it where this complete does not look). S3 computes the part's checksum itself.
 */
async function uploadPartCopy(ctx: Ctx): Promise<void> {
  const { dir, info } = await readUpload(ctx, ctx.query.uploadId);
  const partNumber = partNumberOf(ctx.query.partNumber);
  const [sourceBucket = '', ...sourceKey] = decodeURI(ctx.headers['x-amz-copy-source'] ?? '')
    .replace(/^\//, '')
    .split('/');
  const range = /^bytes=(\d+)-(\d+)$/.exec(ctx.headers['x-amz-copy-source-range'] ?? '');
  const wanted = range ? { start: Number(range[1]), end: Number(range[2]) } : {};
  const source = await ctx.store.getObject(sourceBucket, sourceKey.join('/'), wanted);
  if (!source) throw new S3Error('NoSuchKey', 'The specified key does not exist.');
  if (!source.content || (source.range && wanted.end !== undefined && source.range.end < wanted.end)) {
    source.content?.destroy();
    throw new S3Error('InvalidArgument', 'Range specified is not valid for source object');
  }
  const size = wanted.end === undefined ? source.size : wanted.end - (wanted.start ?? 0) + 1;
  const part = await storePart(dir, partNumber, source.content, size, undefined);
  ctx.body = {
    CopyPartResult: {
      LastModified: part.lastModified,
      ETag: JSON.stringify(part.etag),
      ...(info.checksumAlgorithm ? { ChecksumSHA256: part.sha256 } : {}),
    },
  };
}

async function partsOf(dir: string): Promise<StoredPart[]> {
  const names = (await readdir(dir)).filter((name) => /^\d+\.json$/.test(name));
  const parts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8').then(JSON.parse)));
  return (parts as StoredPart[]).sort((a, b) => a.partNumber - b.partNumber);
}

async function listParts(ctx: Ctx): Promise<void> {
  const { dir, info } = await readUpload(ctx, ctx.query.uploadId);
  const maxParts = Math.min(Number(ctx.query['max-parts'] ?? s3Limits.listPartsPage), s3Limits.listPartsPage);
  const marker = Number(ctx.query['part-number-marker'] ?? 0);
  if (!Number.isInteger(maxParts) || maxParts < 0 || !Number.isInteger(marker) || marker < 0) {
    throw new S3Error('InvalidArgument', 'max-parts and part-number-marker must be non-negative integers');
  }
  const after = (await partsOf(dir)).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  ctx.body = {
    ListPartsResult: {
      Bucket: ctx.params.bucket,
      Key: ctx.params.key,
      UploadId: ctx.query.uploadId,
      PartNumberMarker: marker,
      ...(truncated ? { NextPartNumberMarker: page.at(-1)?.partNumber ?? marker } : {}),
      MaxParts: maxParts,
      IsTruncated: truncated,
      Part: page.map((part) => ({
        PartNumber: part.partNumber,
        LastModified: part.lastModified,
        ETag: JSON.stringify(part.etag),
        Size: part.size,
        ...(info.checksumAlgorithm ? { ChecksumSHA256: part.sha256 } : {}),
      })),
      StorageClass: 'STANDARD',
      ...(info.checksumAlgorithm ? { ChecksumAlgorithm: info.checksumAlgorithm, ChecksumType: 'COMPOSITE' } : {}),
    },
  };
}

async function abortMultipartUpload(ctx: Ctx): Promise<void> {
  const { dir } = await readUpload(ctx, ctx.query.uploadId);
  // A part still being written may add a file while the folder goes: rm tries again (ENOTEMPTY).
  await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  ctx.status = 204;
  ctx.body = null;
}

interface RequestedPart {
  readonly PartNumber: unknown;
  readonly ETag?: unknown;
  readonly ChecksumSHA256?: unknown;
}

interface CompleteRequest {
  readonly CompleteMultipartUpload?: { readonly Part?: RequestedPart | RequestedPart[] };
}

/** The parts named in the request, checked as S3 checks them, in S3's order of checks. */
function checkRequestedParts(requested: readonly RequestedPart[], held: readonly StoredPart[], info: UploadInfo) {
  const byNumber = new Map(held.map((part) => [part.partNumber, part]));
  const parts = requested.map((entry, index) => {
    const partNumber = Number(entry.PartNumber);
    if (index > 0 && partNumber <= Number(requested[index - 1]?.PartNumber)) {
      throw new S3Error(
        'InvalidPartOrder',
        'The list of parts was not in ascending order. Parts must be ordered by part number.',
      );
    }
    const part = byNumber.get(partNumber);
    // S3 removes the quotes when comparing ETags.
    if (!part || String(entry.ETag ?? '').replace(/"/g, '') !== part.etag) throw invalidPart();
    if (info.checksumAlgorithm) {
      if (entry.ChecksumSHA256 === undefined || entry.ChecksumSHA256 === '') {
        throw new S3Error(
          'InvalidRequest',
          `The upload was created using a sha256 checksum. The complete request must include the checksum for each part. It was missing for part ${partNumber} in the request.`,
        );
      }
      if (String(entry.ChecksumSHA256) !== part.sha256) throw invalidPart();
    }
    return part;
  });
  parts.slice(0, -1).forEach((part) => {
    if (part.size < s3Limits.minPartBytes) {
      throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(s3Limits.minPartBytes),
        PartNumber: String(part.partNumber),
        ETag: part.etag,
      });
    }
  });
  return parts;
}

/** S3's multipart ETag and COMPOSITE checksum: a digest of the parts' binary digests, then `-<count>`. */
function digestOfDigests(parts: readonly StoredPart[]) {
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  for (const part of parts) {
    md5.update(Buffer.from(part.etag, 'hex'));
    sha256.update(Buffer.from(part.sha256, 'base64'));
  }
  return { etag: `${md5.digest('hex')}-${parts.length}`, sha256: `${sha256.digest('base64')}-${parts.length}` };
}

async function completeMultipartUpload(ctx: Ctx): Promise<void> {
  const { dir, info } = await readUpload(ctx, ctx.query.uploadId);
  const ifNoneMatch = ifNoneMatchOf(ctx);
  await xmlBodyParser(ctx);
  const requested = (ctx.request.body as CompleteRequest | undefined)?.CompleteMultipartUpload?.Part;
  if (!requested) {
    throw new S3Error(
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema.',
    );
  }
  const parts = checkRequestedParts(([] as RequestedPart[]).concat(requested), await partsOf(dir), info);
  if (ifNoneMatch && (await existsObject(ctx))) throw preconditionFailed();
  // S3 answers 200 at once and sends white space while it assembles the object, so that a long
  // complete does not time out; an error found meanwhile comes as an <Error> in the 200's body.
  const answer = new PassThrough();
  ctx.status = 200;
  ctx.set('content-type', 'application/xml');
  ctx.body = answer;
  answer.write('<?xml version="1.0" encoding="UTF-8"?>\n');
  const keepAlive = setInterval(() => answer.write(' '), COMPLETE_KEEP_ALIVE_MS);
  assemble(ctx, dir, info, parts, ifNoneMatch)
    .then(
      (result) => answer.end(xmlElement('CompleteMultipartUploadResult', result)),
      (error: Error & { code?: string }) => {
        const known = error instanceof S3Error;
        answer.end(
          xmlElement('Error', {
            Code: known ? (error.code as string) : 'InternalError',
            Message: known ? error.message : 'We encountered an internal error. Please try again.',
          }),
        );
      },
    )
    .finally(() => clearInterval(keepAlive));
}

const COMPLETE_KEEP_ALIVE_MS = 1000;

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const xmlElement = (name: string, fields: Record<string, string>) =>
  `<${name}>${Object.entries(fields)
    .map(([field, value]) => `<${field}>${escapeXml(value)}</${field}>`)
    .join('')}</${name}>`;

const partBytes = (dir: string, part: StoredPart) =>
  part.slot === undefined
    ? createReadStream(join(dir, String(part.partNumber)))
    : createReadStream(assemblyOf(dir), { start: part.slot, end: part.slot + part.size - 1 });

/**
 * When the parts are 1..N, each `stride` bytes but the last, the assembly file is the object:
 * the parts kept in files of their own are copied into their slots, and it is cut to length.
 */
async function assembleInPlace(dir: string, parts: readonly StoredPart[]): Promise<string | undefined> {
  const stride = await strideOf(dir);
  const last = parts.length - 1;
  const fits = (part: StoredPart, index: number) =>
    part.partNumber === index + 1 && (index === last ? part.size <= (stride ?? 0) : part.size === stride);
  if (stride === undefined || !parts.every(fits)) return undefined;
  await (await open(assemblyOf(dir), 'a')).close();
  for (const part of parts) {
    const offset = (part.partNumber - 1) * stride;
    if (part.slot === offset) continue;
    await pipeline(partBytes(dir, part), createWriteStream(assemblyOf(dir), { flags: 'r+', start: offset }));
  }
  await truncate(assemblyOf(dir), last * stride + (parts[last]?.size ?? 0));
  return assemblyOf(dir);
}

/** Otherwise the parts are copied, one after the other, into a new file. */
async function concatenate(dir: string, parts: readonly StoredPart[], temp: string): Promise<string> {
  async function* concatenated() {
    for (const part of parts) yield* partBytes(dir, part);
  }
  try {
    await pipeline(concatenated, createWriteStream(temp));
    return temp;
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Assembles the parts into the object and answers the result's fields. */
async function assemble(
  ctx: Ctx,
  dir: string,
  info: UploadInfo,
  parts: readonly StoredPart[],
  ifNoneMatch: boolean,
): Promise<Record<string, string>> {
  const objectPath = ctx.store.getResourcePath(ctx.params.bucket as string, ctx.params.key as string, 'object');
  await mkdir(dirname(objectPath), { recursive: true });
  const temp = (await assembleInPlace(dir, parts)) ?? (await concatenate(dir, parts, tempName(objectPath)));
  const { etag, sha256 } = digestOfDigests(parts);
  const metadata = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
  await writeObject(ctx, temp, ifNoneMatch, {
    metadata,
    etag,
    checksum: info.checksumAlgorithm ? { sha256, type: 'COMPOSITE' } : undefined,
    lastModified: info.initiatedAt,
  });
  await rm(dir, { recursive: true, force: true });
  const size = parts.reduce((total, part) => total + part.size, 0);
  emitCreated(ctx, 'ObjectCreated:CompleteMultipartUpload', size, etag);
  return {
    Location: ctx.href.split('?')[0] as string,
    Bucket: ctx.params.bucket as string,
    Key: ctx.params.key as string,
    ETag: JSON.stringify(etag),
    ...(info.checksumAlgorithm ? { ChecksumSHA256: sha256, ChecksumType: 'COMPOSITE' } : {}),
  };
}

/** GetObject/HeadObject with `x-amz-checksum-mode: ENABLED` return the stored checksum and its type. */
async function withChecksumHeaders(ctx: Ctx, next: Next): Promise<void> {
  await next();
  if (ctx.headers['x-amz-checksum-mode']?.toUpperCase() !== 'ENABLED' || ctx.status >= 300) return;
  const path = ctx.store.getResourcePath(ctx.params.bucket as string, ctx.params.key as string, CHECKSUM_RESOURCE);
  const checksum: StoredChecksum | undefined = await readFile(path, 'utf8')
    .then(JSON.parse)
    .catch(() => undefined);
  // A ranged read of a composite object gets no checksum from S3 either.
  if (!checksum || (ctx.headers.range && checksum.type === 'COMPOSITE')) return;
  ctx.set('x-amz-checksum-sha256', checksum.sha256);
  ctx.set('x-amz-checksum-type', checksum.type);
}

async function multipartAndChecksums(ctx: Ctx, next: Next): Promise<void> {
  if (!ctx.params.key || !(await ctx.store.getBucket(ctx.params.bucket as string))) return next();
  const has = (name: string) => name in ctx.query;
  const copy = 'x-amz-copy-source' in ctx.headers;
  switch (ctx.method) {
    case 'PUT':
      if (has('uploadId')) return copy ? uploadPartCopy(ctx) : uploadPart(ctx);
      if (!SUBRESOURCES.some(has) && !copy) return putObject(ctx);
      break;
    case 'POST':
      if (has('uploads')) return createMultipartUpload(ctx);
      if (has('uploadId')) return completeMultipartUpload(ctx);
      break;
    case 'GET':
      if (has('uploadId')) return listParts(ctx);
      return withChecksumHeaders(ctx, next);
    case 'HEAD':
      return withChecksumHeaders(ctx, next);
    case 'DELETE':
      if (has('uploadId')) return abortMultipartUpload(ctx);
      break;
  }
  return next();
}

/**
 * Splices the middleware into s3rver's (module-wide) router right after its authentication
 * layer, once per process: every S3rver instance shares that router.
 */
export function extendS3rverMultipart(): void {
  makeStoreWritesWhole();
  const router = require('@20minutes/s3rver/lib/routes') as {
    stack: Layer[];
    use(path: string, middleware: (ctx: Ctx, next: Next) => Promise<void>): void;
  };
  if (router.stack.some((layer) => layer.stack.some((fn) => fn.name === multipartAndChecksums.name))) return;
  const authentication = router.stack.findIndex((layer) => layer.stack.some((fn) => fn.name === 'authentication'));
  if (authentication < 0) throw new Error('s3rver changed: review the multipart extension in local/s3-multipart.ts');
  router.use('/:bucket/:key+', multipartAndChecksums);
  const added = router.stack.pop() as Layer;
  router.stack.splice(authentication + 1, 0, added);
}

/** Writes a file whole: a reader sees the old content or the new one, never a part. */
async function replaceWhole(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempName(path);
  try {
    await write(temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

interface StoreInternals {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<unknown>;
  putMetadata(bucket: string, key: string, metadata: Record<string, unknown>, md5?: string): Promise<void>;
  copyObject(...args: unknown[]): Promise<unknown>;
}

/**
 * S3 replaces an object atomically: a GET under way while the same key is copied over gets the
 * old bytes whole. s3rver's CopyObject copies onto the object file itself (truncating it first)
 * and writes its metadata in place, so a download racing a second release of the same file (two
 * validator runs, both allowed to copy) got a cut-short body. Both write through a temp file
 * and a rename here, as this file's own PUT and CompleteMultipartUpload write the object and
 * its checksum.
 */
function makeStoreWritesWhole(): void {
  const Store = require('@20minutes/s3rver/lib/stores/filesystem') as { prototype: StoreInternals };
  const store = Store.prototype;
  if ((store.copyObject as { whole?: boolean }).whole) return;
  store.putMetadata = async function (this: StoreInternals, bucket, key, metadata, md5) {
    const json = {
      ...pick(metadata, S3Object.ALLOWED_METADATA as readonly string[]),
      ...Object.fromEntries(Object.entries(metadata).filter(([name]) => name.startsWith('x-amz-meta-'))),
    };
    if (md5) await replaceWhole(this.getResourcePath(bucket, key, 'object.md5'), (temp) => writeFile(temp, md5));
    await replaceWhole(this.getResourcePath(bucket, key, 'metadata.json'), (temp) =>
      writeFile(temp, JSON.stringify(json, null, 2)),
    );
  };
  const copyObject = async function (
    this: StoreInternals,
    sourceBucket: string,
    sourceKey: string,
    bucket: string,
    key: string,
    replacementMetadata?: Record<string, unknown>,
  ) {
    const resource = (name: string) =>
      [this.getResourcePath(sourceBucket, sourceKey, name), this.getResourcePath(bucket, key, name)] as const;
    const [source, target] = resource('object');
    if (source !== target) {
      await mkdir(dirname(target), { recursive: true });
      await replaceWhole(target, (temp) => copyFile(source, temp));
      // The copy's ETag is its source's (s3rver kept the target's old one when the metadata was replaced).
      const [from, to] = resource('object.md5');
      await replaceWhole(to, (temp) => copyFile(from, temp)).catch(async (error: NodeJS.ErrnoException) => {
        // A source with no recorded MD5: s3rver computes one from the bytes on the next read.
        if (error.code !== 'ENOENT') throw error;
        await rm(to, { force: true });
      });
    }
    if (replacementMetadata) await this.putMetadata(bucket, key, replacementMetadata);
    else if (source !== target) {
      const [from, to] = resource('metadata.json');
      await replaceWhole(to, (temp) => copyFile(from, temp));
    }
    return this.getMetadata(bucket, key);
  };
  store.copyObject = Object.assign(copyObject, { whole: true }) as StoreInternals['copyObject'];
}

const pick = (record: Record<string, unknown>, names: readonly string[]) =>
  Object.fromEntries(names.filter((name) => name in record).map((name) => [name, record[name]]));
