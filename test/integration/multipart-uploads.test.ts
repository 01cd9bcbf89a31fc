import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { multipart, plannedPartSize, planParts } from '#contracts/limits';
import {
  type ApiResponse,
  api,
  db,
  newOwner,
  type Owner,
  objectExists,
  sha256Base64,
  TEXT,
  tableName,
  waitForSettled,
} from '../support/harness';

const MiB = 1024 * 1024;

/** A PDF as the validator recognises one (its first bytes), `size` bytes long, random inside. */
function pdfOf(size: number): Uint8Array {
  const bytes = randomBytes(size);
  bytes.set(TEXT('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n'), 0);
  bytes.set(TEXT('\n%%EOF\n'), size - 7);
  return bytes;
}

// Made once: the machine is small, and 150 MB of random bytes takes a while.
let large: Uint8Array | undefined;
const largePdf = () => {
  large ??= pdfOf(150 * 1000 * 1000);
  return large;
};

function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(response.body.error.message.length).toBeGreaterThan(0);
}

/** Who calls the multipart routes: an owner (`/api/uploads`) or a link holder (`/api/drop/uploads`). */
type Sender =
  | { readonly base: '/api/uploads'; readonly token: string }
  | { readonly base: '/api/drop/uploads'; readonly uploadToken: string };

const asOwner = (owner: Owner): Sender => ({ base: '/api/uploads', token: owner.idToken });
const asLink = (uploadToken: string): Sender => ({ base: '/api/drop/uploads', uploadToken });
const auth = (sender: Sender) => ('token' in sender ? { token: sender.token } : { uploadToken: sender.uploadToken });
const call = (sender: Sender, method: string, path: string, body?: unknown) =>
  api(method, `${sender.base}${path}`, { ...auth(sender), ...(body === undefined ? {} : { body }) });

async function createLink(owner: Owner, input: Record<string, unknown> = {}) {
  const created = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label: 'Large files', maxBytes: 200 * MiB, ...input },
  });
  expect(created.status).toBe(201);
  return created.body as { linkId: string; token: string; expiresAt: string };
}

const startMultipart = (sender: Sender, bytes: Uint8Array, extra: Record<string, unknown> = {}) =>
  call(sender, 'POST', '', {
    fileName: 'recording.pdf',
    contentType: 'application/pdf',
    size: bytes.length,
    multipart: true,
    ...extra,
  });

const partBytes = (upload: { partSize: number }, bytes: Uint8Array, partNumber: number) =>
  bytes.subarray((partNumber - 1) * upload.partSize, Math.min(bytes.length, partNumber * upload.partSize));

/** Signs these parts through the API (in batches of the most one call signs). */
async function signParts(
  sender: Sender,
  upload: { uploadId: string; partSize: number },
  bytes: Uint8Array,
  numbers: number[],
) {
  const signed: { partNumber: number; url: string; headers: Record<string, string> }[] = [];
  for (let start = 0; start < numbers.length; start += multipart.signBatchMax) {
    const parts = numbers.slice(start, start + multipart.signBatchMax).map((partNumber) => {
      const body = partBytes(upload, bytes, partNumber);
      return { partNumber, size: body.length, sha256: sha256Base64(body) };
    });
    const response = await call(sender, 'POST', `/${upload.uploadId}/parts`, { parts });
    expect(response.status).toBe(200);
    signed.push(...response.body.parts);
  }
  return signed;
}

/** PUTs a part as a browser would: the signed headers but content-length, which fetch sets from the body. */
const putPart = (part: { url: string; headers: Record<string, string> }, body: Uint8Array) =>
  fetch(part.url, {
    method: 'PUT',
    headers: { 'x-amz-checksum-sha256': part.headers['x-amz-checksum-sha256'] as string },
    body,
  });

/** Sends these parts, four at a time, each signed then PUT. */
async function sendParts(
  sender: Sender,
  upload: { uploadId: string; partSize: number },
  bytes: Uint8Array,
  numbers: number[],
) {
  const signed = await signParts(sender, upload, bytes, numbers);
  const queue = [...signed];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let part = queue.shift(); part; part = queue.shift()) {
        const sent = await putPart(part, partBytes(upload, bytes, part.partNumber));
        expect(sent.status, `part ${part.partNumber}`).toBe(200);
        await sent.arrayBuffer();
      }
    }),
  );
}

/** S3's COMPOSITE checksum, computed here: the SHA-256 of the parts' SHA-256 digests, then `-<parts>`. */
function compositeOf(upload: { partSize: number; partCount: number }, bytes: Uint8Array): string {
  const outer = createHash('sha256');
  for (let partNumber = 1; partNumber <= upload.partCount; partNumber++) {
    outer.update(
      createHash('sha256')
        .update(partBytes(upload, bytes, partNumber))
        .digest(),
    );
  }
  return `${outer.digest('base64')}-${upload.partCount}`;
}

const allParts = (partCount: number) => Array.from({ length: partCount }, (_, index) => index + 1);

const storedFile = async (ownerId: string, fileId: string) =>
  (
    await db.send(
      new GetCommand({ TableName: tableName('FILES_TABLE'), Key: { ownerId, fileId }, ConsistentRead: true }),
    )
  ).Item as Record<string, any> | undefined;

const usageOf = async (owner: Owner) => (await api('GET', '/api/usage', { token: owner.idToken })).body;

async function downloaded(owner: Owner, fileId: string): Promise<string> {
  const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
  expect(download.status).toBe(200);
  const fetched = await fetch(download.body.url);
  expect(fetched.status).toBe(200);
  return createHash('sha256')
    .update(new Uint8Array(await fetched.arrayBuffer()))
    .digest('base64');
}

describe('multipart presign', () => {
  it('answers the plan, opens the upload in S3 and records it pending with its plan', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(40 * MiB + 123);

    // act
    const started = await startMultipart(asOwner(owner), bytes);

    // assess
    expect(started.status).toBe(201);
    const plan = planParts(bytes.length);
    expect(started.body).toEqual({
      uploadId: expect.any(String),
      method: 'MULTIPART',
      partSize: plan.partSize,
      partCount: plan.partCount,
      expiresAt: expect.any(String),
    });
    const untilMs = Date.parse(started.body.expiresAt) - Date.now();
    expect(untilMs).toBeGreaterThan((multipart.uploadSeconds - 60) * 1000);
    expect(untilMs).toBeLessThanOrEqual(multipart.uploadSeconds * 1000);
    const record = await storedFile(owner.sub, started.body.uploadId);
    expect(record).toMatchObject({
      status: 'pending',
      multipart: { partSize: plan.partSize, partCount: plan.partCount },
    });
    expect(record?.multipart.s3UploadId).toEqual(expect.any(String));
    expect(record?.sha256).toBeUndefined();
    expect(record?.uploadUntil).toBe(Math.floor(Date.parse(started.body.expiresAt) / 1000));
    // The record outlives the upload: the sweep gives it back before TTL could remove it.
    expect(record?.ttl).toBeGreaterThan(record?.uploadUntil);
    expect((await usageOf(owner)).reservedBytes).toBe(bytes.length);
  });

  it('never lets a link upload outlive its link', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { expiresInHours: 2 });
    const bytes = pdfOf(33 * MiB);

    // act
    const started = await startMultipart(asLink(link.token), bytes);

    // assess
    expect(started.status).toBe(201);
    expect(Date.parse(started.body.expiresAt)).toBeLessThanOrEqual(Date.parse(link.expiresAt));
    expect(Date.parse(started.body.expiresAt)).toBeGreaterThan(Date.parse(link.expiresAt) - 2000);
  });

  it('refuses an image above the size images are rebuilt at, for one PUT and for parts (413)', async () => {
    // prepare
    const owner = await newOwner();
    const big = { fileName: 'scan.png', contentType: 'image/png', size: 101 * MiB };

    // act
    const inParts = await api('POST', '/api/uploads', { token: owner.idToken, body: { ...big, multipart: true } });
    const onePut = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: { ...big, sha256: sha256Base64(TEXT('x')) },
    });

    // assess
    expectError(inParts, 413, 'image_too_large');
    expectError(onePut, 413, 'image_too_large');
  });

  it('answers the same upload to a retry of a file declared with its sha256 on a link', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    const bytes = pdfOf(33 * MiB);
    const sha256 = sha256Base64(bytes);

    // act
    const first = await startMultipart(asLink(link.token), bytes, { sha256 });
    const again = await startMultipart(asLink(link.token), bytes, { sha256 });

    // assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
  });
});

describe('signing parts', () => {
  it('refuses a part outside the plan or not of its planned size, naming the part', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    const sha256 = sha256Base64(TEXT('x'));

    // act
    const beyond = await call(asOwner(owner), 'POST', `/${upload.uploadId}/parts`, {
      parts: [{ partNumber: upload.partCount + 1, size: 1, sha256 }],
    });
    const short = await call(asOwner(owner), 'POST', `/${upload.uploadId}/parts`, {
      parts: [{ partNumber: 1, size: upload.partSize - 1, sha256 }],
    });

    // assess
    expectError(beyond, 400, 'part_not_in_plan');
    expectError(short, 400, 'part_wrong_size');
    expect(short.body.error.message).toContain('Part 1');
  });

  it('signs each part for its exact length and SHA-256, living no longer than the upload URL lifetime', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);

    // act
    const [last] = await signParts(asOwner(owner), upload, bytes, [upload.partCount]);

    // assess
    const size = plannedPartSize(upload, bytes.length, upload.partCount);
    expect(last?.headers).toEqual({
      'content-length': String(size),
      'x-amz-checksum-sha256': sha256Base64(partBytes(upload, bytes, upload.partCount)),
    });
    const url = new URL(last?.url as string);
    expect(url.searchParams.get('partNumber')).toBe(String(upload.partCount));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-checksum-sha256');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(15 * 60);
  });

  it('refuses a part body of another length than signed (the signature pins content-length)', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    const [part] = await signParts(asOwner(owner), upload, bytes, [1]);

    // act
    const sent = await putPart(part as never, partBytes(upload, bytes, 1).subarray(1));

    // assess
    expect(sent.status).toBe(403);
  });

  it('refuses a part body other than the one signed for (S3 checks the signed x-amz-checksum-sha256)', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    const [part] = await signParts(asOwner(owner), upload, bytes, [1]);
    const tampered = Uint8Array.from(partBytes(upload, bytes, 1));
    tampered[1000] = (tampered[1000] as number) ^ 0xff;

    // act
    const sent = await putPart(part as never, tampered);
    const listed = await call(asOwner(owner), 'GET', `/${upload.uploadId}/parts`);

    // assess
    expect(sent.status).toBe(400);
    expect(await sent.text()).toContain('BadDigest');
    expect(listed.body.parts).toEqual([]);
  });

  it('refuses a part URL retargeted at another upload (the signature pins the uploadId)', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: mine } = await startMultipart(asOwner(owner), bytes);
    const { body: other } = await startMultipart(asOwner(owner), bytes);
    const [part] = await signParts(asOwner(owner), mine, bytes, [1]);
    const otherS3UploadId = (await storedFile(owner.sub, other.uploadId))?.multipart.s3UploadId;

    // act
    const url = new URL(part?.url as string);
    url.searchParams.set('uploadId', otherS3UploadId);
    const sent = await putPart({ url: url.toString(), headers: part?.headers as never }, partBytes(mine, bytes, 1));

    // assess
    expect(sent.status).toBe(403);
  });

  it('signs no part for an upload that is one PUT, completed, or past its time (409 saying which)', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const single = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: { fileName: 'a.pdf', contentType: 'application/pdf', size: 10, sha256: sha256Base64(TEXT('x')) },
    });
    const { body: done } = await startMultipart(asOwner(owner), bytes);
    await sendParts(asOwner(owner), done, bytes, allParts(done.partCount));
    expect((await call(asOwner(owner), 'POST', `/${done.uploadId}/complete`)).status).toBe(200);
    const { body: late } = await startMultipart(asOwner(owner), bytes);
    await db.send(
      new UpdateCommand({
        TableName: tableName('FILES_TABLE'),
        Key: { ownerId: owner.sub, fileId: late.uploadId },
        UpdateExpression: 'SET uploadUntil = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const parts = [{ partNumber: 1, size: done.partSize, sha256: sha256Base64(partBytes(done, bytes, 1)) }];

    // act
    const toSingle = await call(asOwner(owner), 'POST', `/${single.body.uploadId}/parts`, { parts });
    const toDone = await call(asOwner(owner), 'POST', `/${done.uploadId}/parts`, { parts });
    const toLate = await call(asOwner(owner), 'POST', `/${late.uploadId}/parts`, { parts });
    const completeLate = await call(asOwner(owner), 'POST', `/${late.uploadId}/complete`);

    // assess
    expectError(toSingle, 409, 'not_multipart');
    expectError(toDone, 409, 'upload_completed');
    expectError(toLate, 409, 'upload_expired');
    expectError(completeLate, 409, 'upload_expired');
  }, 60_000);

  it('answers 404 on every multipart route for another owner’s upload', async () => {
    // prepare
    const owner = await newOwner();
    const stranger = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    const link = await createLink(stranger);
    const parts = [{ partNumber: 1, size: upload.partSize, sha256: sha256Base64(partBytes(upload, bytes, 1)) }];

    // act
    const answers = [
      await call(asOwner(stranger), 'POST', `/${upload.uploadId}/parts`, { parts }),
      await call(asOwner(stranger), 'GET', `/${upload.uploadId}/parts`),
      await call(asOwner(stranger), 'POST', `/${upload.uploadId}/complete`),
      await call(asOwner(stranger), 'DELETE', `/${upload.uploadId}`),
      await call(asLink(link.token), 'POST', `/${upload.uploadId}/parts`, { parts }),
      await call(asLink(link.token), 'GET', `/${upload.uploadId}/parts`),
      await call(asLink(link.token), 'POST', `/${upload.uploadId}/complete`),
      await call(asLink(link.token), 'DELETE', `/${upload.uploadId}`),
    ];

    // assess
    for (const answer of answers) expectError(answer, 404, 'upload_not_found');
    expect((await storedFile(owner.sub, upload.uploadId))?.status).toBe('pending');
  });
});

describe('completing', () => {
  it('uploads a 150 MB file in parts as its owner: released, and downloaded byte for byte', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = largePdf();
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    await sendParts(asOwner(owner), upload, bytes, allParts(upload.partCount));

    // act
    const completed = await call(asOwner(owner), 'POST', `/${upload.uploadId}/complete`);

    // assess
    const partsSha256 = compositeOf(upload, bytes);
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ fileId: upload.uploadId, status: expect.any(String), partsSha256 });
    const record = await storedFile(owner.sub, upload.uploadId);
    expect(record?.completedAt).toEqual(expect.any(String));
    expect(record?.confirmedAt).toEqual(record?.completedAt);
    const file = await waitForSettled(owner, upload.uploadId, 60_000);
    expect(file).toMatchObject({ status: 'clean', size: bytes.length, partsSha256 });
    // No whole-file digest was declared: none is claimed.
    expect(file.sha256).toBeUndefined();
    expect(await downloaded(owner, upload.uploadId)).toBe(sha256Base64(bytes));
    const confirmed = await call(asOwner(owner), 'POST', `/${upload.uploadId}/confirm`);
    expect(confirmed.body).toEqual({ fileId: upload.uploadId, status: 'clean', partsSha256 });
  }, 180_000);

  it('uploads a 150 MB file in parts through a link, resumed after half its parts: only the rest sent', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner);
    const bytes = largePdf();
    const { body: upload } = await startMultipart(asLink(link.token), bytes);
    const half = Math.floor(upload.partCount / 2);
    await sendParts(asLink(link.token), upload, bytes, allParts(half));

    // act: the client comes back, asks what storage holds, and sends the others
    const listed = await call(asLink(link.token), 'GET', `/${upload.uploadId}/parts`);
    const held = new Set(listed.body.parts.map((part: { partNumber: number }) => part.partNumber));
    const rest = allParts(upload.partCount).filter((partNumber) => !held.has(partNumber));
    await sendParts(asLink(link.token), upload, bytes, rest);
    const completed = await call(asLink(link.token), 'POST', `/${upload.uploadId}/complete`);

    // assess
    expect(listed.status).toBe(200);
    expect(listed.body.parts.map((part: { partNumber: number }) => part.partNumber)).toEqual(allParts(half));
    for (const part of listed.body.parts) {
      expect(part).toEqual({
        partNumber: part.partNumber,
        size: upload.partSize,
        etag: expect.any(String),
        sha256: sha256Base64(partBytes(upload, bytes, part.partNumber)),
      });
    }
    expect(rest).toEqual(allParts(upload.partCount).slice(half));
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ uploadId: upload.uploadId });
    const file = await waitForSettled(owner, upload.uploadId, 60_000);
    expect(file).toMatchObject({ status: 'clean', size: bytes.length, linkId: link.linkId });
    expect(await downloaded(owner, upload.uploadId)).toBe(sha256Base64(bytes));
  }, 180_000);

  it('refuses to complete with a part missing (409 naming it, nothing completed), and completes once it is sent', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    await sendParts(asOwner(owner), upload, bytes, [1, 3]);

    // act
    const refused = await call(asOwner(owner), 'POST', `/${upload.uploadId}/complete`);
    const stillOpen = await call(asOwner(owner), 'GET', `/${upload.uploadId}/parts`);
    await sendParts(asOwner(owner), upload, bytes, [2]);
    const completed = await call(asOwner(owner), 'POST', `/${upload.uploadId}/complete`);
    const again = await call(asOwner(owner), 'POST', `/${upload.uploadId}/complete`);

    // assess
    expectError(refused, 409, 'parts_missing');
    expect(refused.body.error.message).toContain('(2)');
    expect(stillOpen.body.parts.map((part: { partNumber: number }) => part.partNumber)).toEqual([1, 3]);
    expect(completed.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body.fileId).toBe(upload.uploadId);
    await waitForSettled(owner, upload.uploadId, 30_000);
    expect(await downloaded(owner, upload.uploadId)).toBe(sha256Base64(bytes));
    const completions = (await api('GET', '/api/audit', { token: owner.idToken })).body.items.filter(
      (entry: { action: string; objectId: string }) =>
        entry.action === 'upload.complete' && entry.objectId === upload.uploadId,
    );
    expect(completions).toHaveLength(1);
  }, 60_000);

  it('aborts an upload in parts and gives back its link use and its reserved bytes', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asLink(link.token), bytes);
    await sendParts(asLink(link.token), upload, bytes, [1]);
    const reserved = (await usageOf(owner)).reservedBytes;

    // act
    const aborted = await call(asLink(link.token), 'DELETE', `/${upload.uploadId}`);

    // assess
    expect(aborted.status).toBe(204);
    expect(reserved).toBe(bytes.length);
    expect((await usageOf(owner)).reservedBytes).toBe(0);
    expect(await storedFile(owner.sub, upload.uploadId)).toBeUndefined();
    const links = (await api('GET', '/api/links', { token: owner.idToken })).body.items;
    expect(links.find((item: { linkId: string }) => item.linkId === link.linkId)).toMatchObject({ usesTaken: 0 });
    // The use is back: the link takes another upload.
    expect((await startMultipart(asLink(link.token), bytes)).status).toBe(201);
  });

  it('lets a complete racing an abort end one way only: released, or given back', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = pdfOf(20 * MiB);
    const { body: upload } = await startMultipart(asOwner(owner), bytes);
    await sendParts(asOwner(owner), upload, bytes, allParts(upload.partCount));

    // act
    const [completed, aborted] = await Promise.all([
      call(asOwner(owner), 'POST', `/${upload.uploadId}/complete`),
      call(asOwner(owner), 'DELETE', `/${upload.uploadId}`),
    ]);

    // assess
    if (aborted.status === 204) {
      expect([404, 409]).toContain(completed.status);
      expect((await usageOf(owner)).reservedBytes).toBe(0);
      expect(await objectExists(`incoming/${owner.sub}/${upload.uploadId}`)).toBe(false);
    } else {
      expectError(aborted, 409, 'upload_arrived');
      expect(completed.status).toBe(200);
      expect(await waitForSettled(owner, upload.uploadId, 30_000)).toMatchObject({ status: 'clean' });
    }
  }, 60_000);
});

describe('the race for a one-use link', () => {
  it('gives the use to one of 20 racers in parts; the others learn 410 link_used_up', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    const files = Array.from({ length: 20 }, (_, index) => ({
      fileName: `scan-${index}.pdf`,
      contentType: 'application/pdf',
      size: 40 * MiB + index,
      multipart: true,
    }));

    // act
    const answers = await Promise.all(files.map((body) => call(asLink(link.token), 'POST', '', body)));

    // assess
    const won = answers.filter((answer) => answer.status === 201);
    expect(won).toHaveLength(1);
    for (const answer of answers.filter((answer) => answer.status !== 201)) expectError(answer, 410, 'link_used_up');
    expect((await usageOf(owner)).reservedBytes).toBe(won[0]?.body && files[answers.indexOf(won[0])]?.size);
  }, 60_000);
});
