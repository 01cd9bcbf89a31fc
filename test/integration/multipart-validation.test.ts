import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileKey, incomingKey } from '#contracts/bucket';
import { limits, MiB } from '#contracts/limits';
import { type FileRecord, getFile, putPendingFile } from '#domain/drive/file-records';
import { type ValidatorDeps, validateUpload } from '#domain/validation/validate-upload';
import { S3_CREDENTIALS } from '../../local/environment';
import type { LocalSystem } from '../../local/system';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { PDF } from '../support/harness';
import { type S3WireMeter, startS3WireMeter } from '../support/s3-wire-meter';

/**
 * What the validator does with an object that arrived in parts, on a system of this test's own
 * whose S3 delivers no events: each validation here is the test's own call of the validator's
 * domain function, with its S3 client behind a meter that counts what it reads on the wire.
 * Multipart objects are made with the SDK (CreateMultipartUpload, UploadPart, Complete on the
 * incoming key) after the pending record is written, as the complete route leaves them.
 */

let own: ConfiguredSystem;
let local: LocalSystem;
let meter: S3WireMeter;
let s3: S3Client;
let metered: S3Client;
let db: DynamoDBDocumentClient;

const s3Client = (endpoint: string) =>
  new S3Client({
    region: local.region,
    endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

const files = () => ({ db, tableName: local.tableNames.FILES_TABLE as string });

function validatorDeps(overrides: Partial<ValidatorDeps> = {}): ValidatorDeps {
  const table = (name: string) => ({ db, tableName: local.tableNames[name] as string });
  return {
    s3: metered,
    bucket: local.bucket,
    files: files(),
    quotas: table('QUOTAS_TABLE'),
    links: table('LINKS_TABLE'),
    shares: table('SHARES_TABLE'),
    images: { maxPixels: limits.maxImagePixels },
    noncurrentVersionDays: limits.noncurrentVersionDays,
    ...overrides,
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

/** A PDF of `size` bytes: a real PDF's first bytes, then filler of its own. */
const largePdf = (size: number): Buffer => Buffer.concat([PDF, randomBytes(size - PDF.length)]);

const PART = 5 * MiB;

/**
 * A pending multipart upload of `bytes`, sent in 5 MiB parts and completed: what the validator
 * finds after the complete route. `declared` is the whole-file SHA-256 the client declared.
 */
async function completedMultipart(
  bytes: Buffer,
  options: { contentType?: string; declared?: string } = {},
): Promise<FileRecord> {
  const ownerId = own.owner.sub;
  const fileId = randomUUID();
  const key = incomingKey(ownerId, fileId);
  const contentType = options.contentType ?? 'application/pdf';
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: local.bucket, Key: key, ContentType: contentType }),
  );
  const partCount = Math.ceil(bytes.length / PART);
  const now = new Date();
  await putPendingFile(files(), {
    ownerId,
    fileId,
    name: `large-${fileId}.pdf`,
    contentType,
    size: bytes.length,
    ...(options.declared ? { sha256: options.declared } : {}),
    createdAt: now.toISOString(),
    multipart: { s3UploadId: created.UploadId as string, partSize: PART, partCount },
  });
  const parts = [];
  for (let n = 1; n <= partCount; n++) {
    const body = bytes.subarray((n - 1) * PART, n * PART);
    const sent = await s3.send(
      new UploadPartCommand({ Bucket: local.bucket, Key: key, UploadId: created.UploadId, PartNumber: n, Body: body }),
    );
    parts.push({ PartNumber: n, ETag: sent.ETag });
  }
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: local.bucket,
      Key: key,
      UploadId: created.UploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
  // What the complete route records: when S3 answered, and the composite of the part digests.
  const partsSha256 = `${createHash('sha256')
    .update(
      Buffer.concat(
        parts.map((_, i) =>
          createHash('sha256')
            .update(bytes.subarray(i * PART, (i + 1) * PART))
            .digest(),
        ),
      ),
    )
    .digest('base64')}-${partCount}`;
  await db.send(
    new UpdateCommand({
      TableName: files().tableName,
      Key: { ownerId, fileId },
      UpdateExpression: 'SET completedAt = :at, partsSha256 = :parts',
      ExpressionAttributeValues: { ':at': new Date().toISOString(), ':parts': partsSha256 },
    }),
  );
  return (await getFile(files(), ownerId, fileId)) as FileRecord;
}

async function releasedBytes(file: FileRecord): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: local.bucket, Key: fileKey(file.ownerId, file.fileId) }));
  return Buffer.from(await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: local.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

const bytesRead = () =>
  meter.exchanges.filter((exchange) => exchange.method === 'GET').reduce((sum, e) => sum + e.responseBytes, 0);

beforeAll(async () => {
  own = await startConfiguredSystem('multipart-validation', { deliverS3Events: false });
  local = own.local;
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: local.region,
      endpoint: local.dynamodbEndpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  s3 = s3Client(local.s3Endpoint);
  meter = await startS3WireMeter(local.s3Endpoint);
  metered = s3Client(meter.endpoint);
}, 120_000);

afterAll(async () => {
  await meter?.stop();
  await own?.stop();
});

describe('the type check of a multipart object', () => {
  it('reads at most 64 KB of it, however large, and releases it whole by an S3-side copy', async () => {
    // prepare: 16 MiB in four parts, no whole-file digest declared
    const bytes = largePdf(16 * MiB);
    const file = await completedMultipart(bytes);
    meter.reset();

    // act
    const result = await validateUpload(validatorDeps(), incomingKey(file.ownerId, file.fileId));

    // assess: clean, from one ranged read of the first bytes; the released copy is the upload
    expect(result.outcome).toBe('clean');
    const reads = meter.exchanges.filter((exchange) => exchange.method === 'GET');
    expect(reads).toEqual([expect.objectContaining({ range: `bytes=0-${limits.sniffBytes - 1}`, status: 206 })]);
    expect(bytesRead()).toBeLessThanOrEqual(64 * 1024);
    expect(sha256(await releasedBytes(file))).toBe(sha256(bytes));
    // No whole-file digest was declared, so none is claimed; S3's composite of the parts stays.
    const record = await getFile(files(), file.ownerId, file.fileId);
    expect(record).toMatchObject({ status: 'clean', partsSha256: file.partsSha256 });
    expect(record?.sha256).toBeUndefined();
  });
});

describe('a whole-file SHA-256 declared for a multipart upload', () => {
  it('is checked by reading the object once, and recorded on the released file', async () => {
    // prepare
    const bytes = largePdf(11 * MiB);
    const file = await completedMultipart(bytes, { declared: sha256(bytes) });
    meter.reset();

    // act
    const result = await validateUpload(validatorDeps(), incomingKey(file.ownerId, file.fileId));

    // assess: the head, then the whole object exactly once
    expect(result.outcome).toBe('clean');
    const whole = meter.exchanges.filter((exchange) => exchange.method === 'GET' && !exchange.range);
    expect(whole).toEqual([expect.objectContaining({ status: 200, responseBytes: bytes.length })]);
    expect(bytesRead()).toBe(bytes.length + limits.sniffBytes);
    expect(await getFile(files(), file.ownerId, file.fileId)).toMatchObject({
      status: 'clean',
      sha256: sha256(bytes),
      partsSha256: file.partsSha256,
    });
  });

  it('rejects the file with checksum_mismatch when its bytes are not the ones declared, and releases nothing', async () => {
    // prepare: parts S3 accepted (each matches itself), but not the file the client described
    const bytes = largePdf(11 * MiB);
    const declared = sha256(Buffer.concat([bytes.subarray(0, -1), Buffer.from([(bytes.at(-1) ?? 0) ^ 1])]));
    const file = await completedMultipart(bytes, { declared });

    // act
    const result = await validateUpload(validatorDeps(), incomingKey(file.ownerId, file.fileId));

    // assess
    expect(result).toMatchObject({
      outcome: 'rejected',
      verdict: { ok: false, code: 'checksum_mismatch', reason: "the file's SHA-256 is not the one declared" },
    });
    expect(await getFile(files(), file.ownerId, file.fileId)).toMatchObject({
      status: 'rejected',
      reason: "the file's SHA-256 is not the one declared",
    });
    expect(await exists(fileKey(file.ownerId, file.fileId))).toBe(false);
    expect(await exists(incomingKey(file.ownerId, file.fileId))).toBe(false);
  });
});

describe('a multipart image', () => {
  it('is described by its rebuilt bytes: their SHA-256, and no composite of the parts it no longer is', async () => {
    // prepare: a 6 MB PNG of noise (it does not compress), in two parts
    const png = await sharp(randomBytes(1500 * 1400 * 3), { raw: { width: 1500, height: 1400, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    const file = await completedMultipart(png, { contentType: 'image/png', declared: sha256(png) });

    // act
    const result = await validateUpload(validatorDeps(), incomingKey(file.ownerId, file.fileId));

    // assess
    expect(result.outcome).toBe('clean');
    const released = await releasedBytes(file);
    const record = await getFile(files(), file.ownerId, file.fileId);
    expect(record).toMatchObject({ status: 'clean', size: released.length, sha256: sha256(released) });
    expect(record?.sha256).not.toBe(sha256(png));
    expect(record?.partsSha256).toBeUndefined();
  });
});
