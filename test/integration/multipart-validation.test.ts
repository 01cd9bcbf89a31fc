import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketLayout, fileKey, incomingKey } from '#contracts/bucket';
import { limits, MiB } from '#contracts/limits';
import { type FileRecord, getFile, putPendingFile } from '#domain/drive/file-records';
import { sweepUploads } from '#domain/uploads/sweep-uploads';
import { confirmUpload } from '#domain/uploads/uploads';
import { type ValidatorDeps, validateUpload } from '#domain/validation/validate-upload';
import { S3_CREDENTIALS } from '../../local/environment';
import type { LocalSystem } from '../../local/system';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { objectExists, PDF } from '../support/harness';
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

/** A 6 MB PNG of noise (it does not compress): two parts. */
const noisePng = () =>
  sharp(randomBytes(1500 * 1400 * 3), { raw: { width: 1500, height: 1400, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();

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

const exists = (key: string) => objectExists(key, { client: s3, bucket: local.bucket });

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
    // prepare: 16 MiB of text in four parts, no whole-file digest declared (text is judged from
    // its head; a PDF is read whole once more, for its active-content check: below)
    const bytes = Buffer.from('Payslip line: net pay 2,400.00 EUR\n'.repeat(Math.ceil((16 * MiB) / 35))).subarray(
      0,
      16 * MiB,
    );
    const file = await completedMultipart(bytes, { contentType: 'text/plain' });
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
  it('is checked by reading the object once (a PDF: the same read as its active-content check), and recorded on the released file', async () => {
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
    // prepare
    const png = await noisePng();
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

describe('the release of an object larger than one CopyObject copies', () => {
  // S3's CopyObject copies at most 5 GiB; the emulator has no such limit, so these tests lower
  // the validator's single-copy limit to 1 MiB rather than store 5 GiB.
  const smallCopies = { singleCopyMaxBytes: MiB, partBytes: 5 * MiB, partsInFlight: 2 };

  it('copies it in parallel ranges of a multipart copy, then tags it (emulator gap: no 5 GiB CopyObject limit, tested at 1 MiB)', async () => {
    // prepare: 13 MiB, so three copied parts, the last one short
    const bytes = largePdf(13 * MiB);
    const file = await completedMultipart(bytes);
    meter.reset();

    // act
    const result = await validateUpload(validatorDeps({ copies: smallCopies }), incomingKey(file.ownerId, file.fileId));

    // assess: create, three part copies, complete; no single CopyObject; the copy is the upload
    expect(result.outcome).toBe('clean');
    const target = `/${local.bucket}/${fileKey(file.ownerId, file.fileId)}`;
    const onTarget = meter.exchanges.filter((exchange) => exchange.url.startsWith(target));
    expect(onTarget.filter((e) => e.method === 'POST' && /[?&]uploads(=|&|$)/.test(e.url))).toHaveLength(1);
    const partCopies = onTarget.filter((e) => e.method === 'PUT' && /[?&]partNumber=\d/.test(e.url));
    expect(partCopies.map((e) => Number(/partNumber=(\d+)/.exec(e.url)?.[1])).sort()).toEqual([1, 2, 3]);
    expect(partCopies.every((e) => e.status === 200)).toBe(true);
    expect(onTarget.filter((e) => e.method === 'POST' && /[?&]uploadId=/.test(e.url))).toHaveLength(1);
    expect(meter.exchanges.filter((e) => e.url.includes('x-id=CopyObject'))).toHaveLength(0);
    // Two at a time: the second part copy is sent before the first is answered.
    const [first, second] = [...partCopies].sort((a, b) => a.startedAt - b.startedAt);
    expect(second?.startedAt).toBeLessThan(first?.endedAt ?? 0);
    expect(sha256(await releasedBytes(file))).toBe(sha256(bytes));
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: local.bucket, Key: fileKey(file.ownerId, file.fileId) }),
    );
    expect(head.ContentType).toBe('application/pdf');
    const tags = await s3.send(
      new GetObjectTaggingCommand({ Bucket: local.bucket, Key: fileKey(file.ownerId, file.fileId) }),
    );
    expect(tags.TagSet).toContainEqual({ Key: bucketLayout.releaseTag.key, Value: bucketLayout.releaseTag.value });
  });

  it('aborts the multipart copy when a part fails, releases nothing and leaves the upload pending for a retry (fault injected: the emulator cannot fail a part copy)', async () => {
    // prepare: a client whose second part copy fails, as a throttled or timed-out request would
    const bytes = largePdf(13 * MiB);
    const file = await completedMultipart(bytes);
    const failing = s3Client(meter.endpoint);
    let partCopies = 0;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCopyCommand' && ++partCopies === 2) {
          throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
            name: 'InternalError',
          });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failTheSecondPartCopy' },
    );
    meter.reset();

    // act
    const validation = validateUpload(
      validatorDeps({ s3: failing, copies: smallCopies }),
      incomingKey(file.ownerId, file.fileId),
    );

    // assess: the error reaches Lambda (which retries), the copy's upload is aborted, nothing released
    await expect(validation).rejects.toThrow(/internal error/);
    const target = `/${local.bucket}/${fileKey(file.ownerId, file.fileId)}`;
    const aborts = meter.exchanges.filter((e) => e.method === 'DELETE' && e.url.startsWith(`${target}?uploadId=`));
    expect(aborts).toEqual([expect.objectContaining({ status: 204 })]);
    const copyUploadId = new URL(aborts[0]?.url ?? '', 'http://s3').searchParams.get('uploadId') ?? '';
    await expect(
      s3.send(
        new ListPartsCommand({ Bucket: local.bucket, Key: fileKey(file.ownerId, file.fileId), UploadId: copyUploadId }),
      ),
    ).rejects.toMatchObject({ name: 'NoSuchUpload' });
    expect(await exists(fileKey(file.ownerId, file.fileId))).toBe(false);
    expect(await exists(incomingKey(file.ownerId, file.fileId))).toBe(true);
    expect((await getFile(files(), file.ownerId, file.fileId))?.status).toBe('pending');

    // and a retry with a healthy client releases it
    const retried = await validateUpload(
      validatorDeps({ copies: smallCopies }),
      incomingKey(file.ownerId, file.fileId),
    );
    expect(retried.outcome).toBe('clean');
    expect(sha256(await releasedBytes(file))).toBe(sha256(bytes));
  });
});

describe('an image larger than the validator can rebuild', () => {
  it('is rejected with image_too_large without being read (tested with the limit lowered to 5 MiB)', async () => {
    // prepare: a 6 MB PNG, in two parts
    const png = await noisePng();
    const file = await completedMultipart(png, { contentType: 'image/png' });
    meter.reset();

    // act
    const result = await validateUpload(
      validatorDeps({ images: { maxPixels: limits.maxImagePixels, maxBytes: 5 * MiB } }),
      incomingKey(file.ownerId, file.fileId),
    );

    // assess: refused from its size, after the head only
    expect(result).toMatchObject({ outcome: 'rejected', verdict: { code: 'image_too_large' } });
    expect(result.verdict).toMatchObject({ reason: expect.stringMatching(/larger than 5 MiB/) });
    expect(bytesRead()).toBe(limits.sniffBytes);
    expect(await exists(fileKey(file.ownerId, file.fileId))).toBe(false);
  });
});

describe('the lost-event clock of a multipart object', () => {
  // S3 dates a multipart object from when its upload was created: a ten-minute upload is
  // "in storage" ten minutes at completion. The clock counts from completion instead. The
  // emulator dates the object at completion, so "later" is the functions' own `now` here.
  const LOST_AFTER_MS = 2000;
  let asked: string[];
  const revalidation = () => {
    asked = [];
    return {
      requestValidation: async (key: string) => {
        asked.push(key);
      },
      lostEventAfterMs: LOST_AFTER_MS,
    };
  };

  /** A completed multipart upload, seen from a `now` past its LastModified by more than the lost-event time. */
  async function completedLongAfterItsStart() {
    const file = await completedMultipart(largePdf(6 * MiB));
    const key = incomingKey(file.ownerId, file.fileId);
    const head = await s3.send(new HeadObjectCommand({ Bucket: local.bucket, Key: key }));
    const now = new Date((head.LastModified as Date).getTime() + LOST_AFTER_MS + 1000);
    const completedAt = new Date(now.getTime() - 500);
    await db.send(
      new UpdateCommand({
        TableName: files().tableName,
        Key: { ownerId: file.ownerId, fileId: file.fileId },
        UpdateExpression: 'SET completedAt = :at',
        ExpressionAttributeValues: { ':at': completedAt.toISOString() },
      }),
    );
    return { file: { ...file, completedAt: completedAt.toISOString() }, key, now, completedAt };
  }

  it('lets confirm ask for validation only once the object was complete for LOST_EVENT_SECONDS', async () => {
    // prepare
    const { file, key, now, completedAt } = await completedLongAfterItsStart();
    const deps = { s3, bucket: local.bucket, files: files(), ...revalidation() };

    // act: confirmed half a second after completion, then past the lost-event time
    const justCompleted = await confirmUpload(deps, { ownerId: file.ownerId }, file.fileId, now);
    const askedAtFirst = [...asked];
    await confirmUpload(deps, { ownerId: file.ownerId }, file.fileId, new Date(completedAt.getTime() + LOST_AFTER_MS));

    // assess
    expect(justCompleted.status).toBe('pending');
    expect(askedAtFirst).toEqual([]);
    expect(asked).toEqual([key]);
  });

  it('lets the sweep wait for a just-completed object and ask again only past LOST_EVENT_SECONDS', async () => {
    // prepare
    const { key, now, completedAt } = await completedLongAfterItsStart();
    const table = (name: string) => ({ db, tableName: local.tableNames[name] as string });
    const deps = {
      storage: { s3, bucket: local.bucket, files: files() },
      files: files(),
      quotas: table('QUOTAS_TABLE'),
      links: table('LINKS_TABLE'),
      audit: { ...table('AUDIT_TABLE'), retentionDays: limits.auditRetentionDays },
      graceSeconds: 60,
      ...revalidation(),
    };
    const origin = { actor: 'system:sweep' as const, requestId: randomUUID() };

    // act
    await sweepUploads(deps, origin, now);
    const askedAtFirst = asked.filter((asking) => asking === key);
    await sweepUploads(deps, origin, new Date(completedAt.getTime() + LOST_AFTER_MS));

    // assess
    expect(askedAtFirst).toEqual([]);
    expect(asked.filter((asking) => asking === key)).toEqual([key]);
  });
});
