import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatorS3Event, type LocalS3, startS3 } from '../../local/s3';

/**
 * The S3 emulator's multipart and checksum behaviour (local/s3-multipart.ts), as S3 documents
 * it, through the real SDK client and presigned part URLs over HTTP. An emulator of its own
 * (port 0, temp folder) so the events it emits can be watched.
 */

const BUCKET = 'emulator-test';
const MiB = 1024 * 1024;
const events: EmulatorS3Event[] = [];
let emulator: LocalS3;
let s3: S3Client;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'mp-emulator-test-'));
  emulator = await startS3({
    host: '127.0.0.1',
    advertisedHost: '127.0.0.1',
    port: 0,
    directory,
    bucket: BUCKET,
    webOrigins: ['http://localhost:4300'],
    onEvent: (event) => events.push(event),
  });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
});

afterAll(async () => {
  s3?.destroy();
  await emulator?.stop();
  if (directory) rmSync(directory, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
const md5Hex = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const newKey = () => `incoming-test/${randomUUID()}`;
/** Two parts: the smallest first part S3 allows, and a short last one. */
const twoParts = () => [randomBytes(5 * MiB), randomBytes(1024)] as const;

async function createUpload(key: string, checksum = true): Promise<string> {
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      ...(checksum ? { ChecksumAlgorithm: 'SHA256' } : {}),
    }),
  );
  return created.UploadId as string;
}

async function uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<CompletedPart> {
  const answer = await s3.send(
    new UploadPartCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: body,
      ChecksumSHA256: sha256(body),
    }),
  );
  return { PartNumber: partNumber, ETag: answer.ETag, ChecksumSHA256: answer.ChecksumSHA256 };
}

/** A presigned UploadPart URL pinning length and SHA-256, as the API signs them. */
const signPart = (key: string, uploadId: string, partNumber: number, body: Uint8Array) =>
  getSignedUrl(
    s3,
    new UploadPartCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: body.length,
      ChecksumSHA256: sha256(body),
    }),
    {
      expiresIn: 300,
      signableHeaders: new Set(['content-length']),
      unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    },
  );

async function s3ErrorOf(response: Response): Promise<string | undefined> {
  return /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];
}

const refusal = (name: string, status: number) => ({
  name,
  $metadata: expect.objectContaining({ httpStatusCode: status }),
});

/** Completes with the parts as ListParts gave them, as the API's complete does. */
const completeAsListed = (key: string, uploadId: string, listed: { Parts?: CompletedPart[] }) =>
  s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: {
        Parts: (listed.Parts ?? []).map(({ PartNumber, ETag, ChecksumSHA256 }) => ({
          PartNumber,
          ETag,
          ChecksumSHA256,
        })),
      },
    }),
  );

const listParts = (key: string, uploadId: string) =>
  s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));

describe('S3 emulator: CreateMultipartUpload', () => {
  it('answers the SHA256 checksum algorithm and the COMPOSITE type it records', async () => {
    const created = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: newKey(), ChecksumAlgorithm: 'SHA256' }),
    );

    expect(created.UploadId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.ChecksumAlgorithm).toBe('SHA256');
    expect(created.ChecksumType).toBe('COMPOSITE');
  });
});

describe('S3 emulator: a multipart upload through presigned part URLs', () => {
  it('stores the parts, lists them, completes with the composite SHA-256 and dates the object from the upload', async () => {
    // prepare
    const key = newKey();
    const parts = twoParts();
    const initiatedAt = Date.now();
    const uploadId = await createUpload(key);

    // act: the parts in reverse order, as parallel clients may send them
    for (const partNumber of [2, 1]) {
      const body = parts[partNumber - 1] as Uint8Array;
      const put = await fetch(await signPart(key, uploadId, partNumber, body), {
        method: 'PUT',
        headers: { 'x-amz-checksum-sha256': sha256(body) },
        body,
      });
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toBe(`"${md5Hex(body)}"`);
      expect(put.headers.get('x-amz-checksum-sha256')).toBe(sha256(body));
    }
    const listed = await listParts(key, uploadId);
    // S3 dates an object from the upload's creation: a later completion keeps that date.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const completed = await completeAsListed(key, uploadId, listed);

    // assess
    expect(listed.ChecksumAlgorithm).toBe('SHA256');
    expect(listed.IsTruncated).toBe(false);
    expect(
      listed.Parts?.map(({ PartNumber, Size, ETag, ChecksumSHA256 }) => ({ PartNumber, Size, ETag, ChecksumSHA256 })),
    ).toEqual(
      parts.map((body, index) => ({
        PartNumber: index + 1,
        Size: body.length,
        ETag: `"${md5Hex(body)}"`,
        ChecksumSHA256: sha256(body),
      })),
    );
    const composite = `${createHash('sha256')
      .update(Buffer.concat(parts.map((body) => createHash('sha256').update(body).digest())))
      .digest('base64')}-2`;
    const etag = `"${createHash('md5')
      .update(Buffer.concat(parts.map((body) => createHash('md5').update(body).digest())))
      .digest('hex')}-2"`;
    expect(completed).toMatchObject({ ChecksumSHA256: composite, ChecksumType: 'COMPOSITE', ETag: etag });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({ ChecksumSHA256: composite, ChecksumType: 'COMPOSITE', ETag: etag });
    expect(head.ContentLength).toBe(5 * MiB + 1024);
    expect(head.LastModified?.getTime()).toBeGreaterThanOrEqual(Math.floor(initiatedAt / 1000) * 1000);
    expect(head.LastModified?.getTime()).toBeLessThan(initiatedAt + 1_000);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumSHA256).toBe(composite);
    const stored = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    // Compared by digest: a deep equality of 5 MiB is slower than the test's timeout.
    expect(sha256(stored)).toBe(sha256(Buffer.concat(parts)));
    const event = events.flatMap((e) => e.Records).find((record) => record.s3.object.key === key);
    expect(event).toMatchObject({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      s3: { object: { size: 5 * MiB + 1024 } },
    });
    await expect(listParts(key, uploadId)).rejects.toMatchObject(refusal('NoSuchUpload', 404));
  });

  it.each([
    ['a part sent again with other bytes (the last one counts)', [5 * MiB, 5 * MiB, 1024], [2]],
    ['parts of unequal sizes (copied one after the other)', [6 * MiB, 5 * MiB, 1024], []],
    ['the short last part sent first', [5 * MiB, 5 * MiB, 1024], []],
  ])('assembles the object from %s', async (_case, sizes, resent) => {
    // prepare
    const key = newKey();
    const uploadId = await createUpload(key);
    const bodies = sizes.map((size) => randomBytes(size));
    const order = _case.startsWith('the short last') ? [3, 1, 2] : [1, 2, 3];
    for (const partNumber of order) await uploadPart(key, uploadId, partNumber, bodies[partNumber - 1] as Buffer);
    for (const partNumber of resent) {
      bodies[partNumber - 1] = randomBytes(sizes[partNumber - 1] as number);
      await uploadPart(key, uploadId, partNumber, bodies[partNumber - 1] as Buffer);
    }
    const listed = await listParts(key, uploadId);

    // act
    await completeAsListed(key, uploadId, listed);

    // assess
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const stored = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    expect(stored.length).toBe(sizes.reduce((total, size) => total + size, 0));
    expect(sha256(stored)).toBe(sha256(Buffer.concat(bodies)));
  });

  it('refuses a part whose bytes are not the signed SHA-256 (BadDigest) and stores nothing', async () => {
    // prepare
    const key = newKey();
    const uploadId = await createUpload(key);
    const [declared] = twoParts();
    const tampered = Buffer.from(declared);
    tampered[0] = (tampered[0] as number) ^ 0xff;

    // act: the same length, so only the checksum can tell
    const put = await fetch(await signPart(key, uploadId, 1, declared), {
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': sha256(declared) },
      body: tampered,
    });

    // assess
    expect(put.status).toBe(400);
    expect(await s3ErrorOf(put)).toBe('BadDigest');
    expect((await listParts(key, uploadId)).Parts ?? []).toEqual([]);
  });

  it('refuses a part without a checksum in an upload created with SHA256, as S3 does', async () => {
    const key = newKey();
    const uploadId = await createUpload(key);

    const put = s3.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, PartNumber: 1, Body: randomBytes(16) }),
    );

    await expect(put).rejects.toMatchObject({
      ...refusal('InvalidRequest', 400),
      message: expect.stringContaining('expected checksum Type: sha256, actual checksum Type: null'),
    });
  });

  it.each([
    ['an unknown upload id', (_key: string, _id: string) => ({ key: _key, id: randomBytes(16).toString('hex') })],
    ['an upload id created for another key', (_key: string, id: string) => ({ key: newKey(), id })],
  ])('answers NoSuchUpload to a part for %s', async (_case, retarget) => {
    const key = newKey();
    const target = retarget(key, await createUpload(key));
    const body = randomBytes(16);

    const put = await fetch(await signPart(target.key, target.id, 1, body), {
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': sha256(body) },
      body,
    });

    expect(put.status).toBe(404);
    expect(await s3ErrorOf(put)).toBe('NoSuchUpload');
  });
});

describe('S3 emulator: ListParts and AbortMultipartUpload', () => {
  it('pages the parts with max-parts and part-number-marker', async () => {
    // prepare: parts may be small until complete checks them
    const key = newKey();
    const uploadId = await createUpload(key);
    for (const partNumber of [1, 2, 3]) await uploadPart(key, uploadId, partNumber, randomBytes(10 * partNumber));

    // act
    const first = await s3.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MaxParts: 2 }));
    const second = await s3.send(
      new ListPartsCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MaxParts: 2,
        PartNumberMarker: first.NextPartNumberMarker,
      }),
    );

    // assess
    expect(first).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '2', MaxParts: 2 });
    expect(first.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([
      [1, 10],
      [2, 20],
    ]);
    expect(second.IsTruncated).toBe(false);
    expect(second.Parts?.map((part) => [part.PartNumber, part.Size])).toEqual([[3, 30]]);
    expect(second.Parts?.[0]?.LastModified).toBeInstanceOf(Date);
  });

  it('answers NoSuchUpload to ListParts for an unknown upload id', async () => {
    await expect(listParts(newKey(), randomBytes(16).toString('hex'))).rejects.toMatchObject(
      refusal('NoSuchUpload', 404),
    );
  });

  it('aborts with 204 and removes the parts: then the upload is gone for every call', async () => {
    // prepare
    const key = newKey();
    const uploadId = await createUpload(key);
    const part = await uploadPart(key, uploadId, 1, randomBytes(64));

    // act
    const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));

    // assess
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    await expect(listParts(key, uploadId)).rejects.toMatchObject(refusal('NoSuchUpload', 404));
    await expect(uploadPart(key, uploadId, 2, randomBytes(64))).rejects.toMatchObject(refusal('NoSuchUpload', 404));
    await expect(
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: [part] },
        }),
      ),
    ).rejects.toMatchObject(refusal('NoSuchUpload', 404));
    await expect(
      s3.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId })),
    ).rejects.toMatchObject(refusal('NoSuchUpload', 404));
  });
});

describe('S3 emulator: CompleteMultipartUpload refuses what S3 refuses, and keeps the upload', () => {
  const complete = (key: string, uploadId: string, Parts: CompletedPart[], IfNoneMatch?: string) =>
    s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts },
        IfNoneMatch,
      }),
    );

  async function twoPartUpload(key = newKey()) {
    const uploadId = await createUpload(key);
    const [first, last] = twoParts();
    const parts = [await uploadPart(key, uploadId, 1, first), await uploadPart(key, uploadId, 2, last)];
    return { key, uploadId, parts };
  }

  type Change = (parts: CompletedPart[]) => CompletedPart[];
  const cases: [string, string, Change][] = [
    ['parts out of order', 'InvalidPartOrder', (parts) => [...parts].reverse()],
    ['a part S3 does not hold', 'InvalidPart', (parts) => [...parts, { ...parts[1], PartNumber: 3 }]],
    ['another ETag', 'InvalidPart', (parts) => [{ ...parts[0], ETag: `"${'0'.repeat(32)}"` }, parts[1] ?? {}]],
    [
      "another part's checksum",
      'InvalidPart',
      (parts) => [{ ...parts[0], ChecksumSHA256: parts[1]?.ChecksumSHA256 }, parts[1] ?? {}],
    ],
    ['no part checksum', 'InvalidRequest', (parts) => [{ ...parts[0], ChecksumSHA256: undefined }, parts[1] ?? {}]],
  ];
  it.each(cases)('refuses %s (%s)', async (_case, code, change) => {
    const { key, uploadId, parts } = await twoPartUpload();

    await expect(complete(key, uploadId, change(parts))).rejects.toMatchObject(refusal(code, 400));

    // Nothing completed: the object is absent and the parts are still there.
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      $metadata: expect.objectContaining({ httpStatusCode: 404 }),
    });
    expect((await listParts(key, uploadId)).Parts).toHaveLength(2);
  });

  it('refuses a part smaller than 5 MiB that is not the last (EntityTooSmall)', async () => {
    const key = newKey();
    const uploadId = await createUpload(key);
    const parts = [
      await uploadPart(key, uploadId, 1, randomBytes(1024)),
      await uploadPart(key, uploadId, 2, randomBytes(1024)),
    ];

    await expect(complete(key, uploadId, parts)).rejects.toMatchObject(refusal('EntityTooSmall', 400));
    // Control: the short part alone, as the last part, completes.
    await expect(complete(key, uploadId, parts.slice(0, 1))).resolves.toMatchObject({
      ETag: expect.stringMatching(/-1"$/),
    });
  });

  it('refuses to complete over an existing key with If-None-Match: * (412) and leaves the object as it was', async () => {
    const { key, uploadId, parts } = await twoPartUpload();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'first' }));

    await expect(complete(key, uploadId, parts, '*')).rejects.toMatchObject(refusal('PreconditionFailed', 412));

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(5);
    // Control: on a free key the same condition lets the upload complete.
    const free = await twoPartUpload();
    await expect(complete(free.key, free.uploadId, free.parts, '*')).resolves.toMatchObject({
      ChecksumType: 'COMPOSITE',
    });
  });
});

describe('S3 emulator: PutObject checksum and conditional write', () => {
  it('refuses a body that is not the declared SHA-256 (BadDigest) and stores nothing', async () => {
    const key = newKey();

    const put = s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: 'other bytes',
        ChecksumSHA256: sha256(Buffer.from('declared')),
      }),
    );

    await expect(put).rejects.toMatchObject(refusal('BadDigest', 400));
    await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({
      $metadata: expect.objectContaining({ httpStatusCode: 404 }),
    });
  });

  it('keeps the declared SHA-256 and returns it as a FULL_OBJECT checksum', async () => {
    const key = newKey();
    const body = Buffer.from('declared');

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ChecksumSHA256: sha256(body) }));

    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head).toMatchObject({
      ChecksumSHA256: sha256(body),
      ChecksumType: 'FULL_OBJECT',
      ETag: `"${md5Hex(body)}"`,
    });
  });

  it('refuses an overwrite with If-None-Match: * (412); of two racing PUTs exactly one is stored', async () => {
    const key = newKey();
    const put = (body: string) =>
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, IfNoneMatch: '*' }));

    const racers = await Promise.allSettled([put('racer a'), put('racer b')]);
    const again = put('overwrite');

    expect(racers.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(racers.find((result) => result.status === 'rejected')).toMatchObject({
      reason: refusal('PreconditionFailed', 412),
    });
    await expect(again).rejects.toMatchObject(refusal('PreconditionFailed', 412));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await got.Body?.transformToString()).toMatch(/^racer [ab]$/);
  });
});

describe('S3 emulator: an object is replaced whole', () => {
  it('gives a GET under way the old bytes whole while CopyObject writes the same key, and the copy its source ETag', async () => {
    // prepare
    const key = `whole/${randomUUID()}`;
    const old = randomBytes(16 * MiB);
    const replacement = randomBytes(16 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: old }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${key}.source`, Body: replacement }));
    const reading = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const body = reading.Body as AsyncIterable<Uint8Array>;
    const iterator = body[Symbol.asyncIterator]();
    const first = await iterator.next();

    // act: the copy lands while the first download has read only its first chunk
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${key}.source` }));
    const chunks = [first.value as Uint8Array];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(next.value);

    // assess
    expect(Buffer.concat(chunks).equals(old)).toBe(true);
    const after = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(
      Buffer.from(await (after.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(
        replacement,
      ),
    ).toBe(true);
    const expectedEtag = `"${createHash('md5').update(replacement).digest('hex')}"`;
    expect(after.ETag).toBe(expectedEtag);
  });
});
