import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { confirmUpload } from '#domain/uploads/uploads';
import {
  api,
  db,
  describeUpload,
  ELF,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  PNG,
  putToS3,
  s3,
  system,
  TEXT,
  tableName,
  waitForSettled,
} from '../support/harness';
import { deliverToValidator } from '../support/validator';

/**
 * Nothing is downloadable until the validator has compared the bytes with what was declared.
 * S3 delivers events at least once and in any order, and the client may confirm before or after
 * the validator ran: whatever the interleaving, a file settles once, to one outcome.
 */

const MiB = 1024 * 1024;
/** Bytes that are neither text nor any type file-type knows. */
const BINARY = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);

const deliver = (key: string, size?: number): Promise<void> => deliverToValidator(key, size, 'validation-gate-test');

const incoming = (owner: Owner, fileId: string) => `incoming/${owner.sub}/${fileId}`;
const released = (owner: Owner, fileId: string) => `files/${owner.sub}/${fileId}`;

/** Presigns and PUTs bytes as the owner; the emulator's event then reaches the local validator. */
async function upload(owner: Owner, contentType: string, bytes: Uint8Array, fileName = 'upload.bin') {
  const presign = await api('POST', '/api/uploads', {
    token: owner.idToken,
    body: describeUpload(fileName, contentType, bytes),
  });
  expect(presign.status).toBe(201);
  const put = await putToS3(presign.body, bytes);
  expect(put.status).toBe(200);
  return presign.body.uploadId as string;
}

/** Polls until a key is gone (the validator removes the incoming object after recording the outcome). */
async function existsAfterSettling(key: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await objectExists(key)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function storedRecord(owner: Owner, fileId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName('FILES_TABLE'), Key: { ownerId: owner.sub, fileId }, ConsistentRead: true }),
  );
  return Item;
}

async function validationsRecorded(owner: Owner, fileId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName('AUDIT_TABLE'),
      KeyConditionExpression: 'ownerId = :owner',
      ExpressionAttributeValues: { ':owner': owner.sub },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).filter((item) => item.action === 'upload.validate' && item.objectId === fileId);
}

/** Waits for the first recorded validation, then a moment for any other delivery still running. */
async function validationsOnceQuiet(owner: Owner, fileId: string): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 10_000;
  while ((await validationsRecorded(owner, fileId)).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return validationsRecorded(owner, fileId);
}

const mismatches = [
  ['a PDF declared as image/png', 'image/png', PDF, /^it is really a PDF, not a PNG image$/],
  ['an ELF executable declared as image/png', 'image/png', ELF, /^it is really a \.elf file, not a PNG image$/],
  ['binary bytes declared as text/plain', 'text/plain', BINARY, /^not a real plain text file/],
] as const;

/** One upload of each outcome, for the properties that must hold for both. */
const outcomes = [
  ['clean', 'application/pdf', PDF],
  ['rejected', 'image/png', PDF],
] as const;

describe('validation gate', () => {
  it.each(mismatches)('rejects %s', async (_case, contentType, bytes, reason) => {
    // prepare
    const owner = await newOwner();
    const fileId = await upload(owner, contentType, bytes);

    // act
    const file = await waitForSettled(owner, fileId);

    // assess
    expect(file.status).toBe('rejected');
    expect(file.reason).toMatch(reason);
  });

  it.each(mismatches)(
    'refuses the download of %s and removes its bytes from incoming/ and files/',
    async (_case, contentType, bytes) => {
      // prepare
      const owner = await newOwner();
      const fileId = await upload(owner, contentType, bytes);
      await waitForSettled(owner, fileId);

      // act
      const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });

      // assess
      expect(download.status).toBe(409);
      expect(download.body.error.code).toBe('rejected');
      expect(download.body.url).toBeUndefined();
      expect(await existsAfterSettling(incoming(owner, fileId))).toBe(false);
      expect(await objectExists(released(owner, fileId))).toBe(false);
    },
  );

  it('releases a real PDF declared as application/pdf', async () => {
    // prepare
    const owner = await newOwner();
    const fileId = await upload(owner, 'application/pdf', PDF, 'Statement.pdf');

    // act
    const file = await waitForSettled(owner, fileId);

    // assess
    expect(file.status).toBe('clean');
    expect(file.reason).toBeUndefined();
    expect(await existsAfterSettling(incoming(owner, fileId))).toBe(false);
    expect(await objectExists(released(owner, fileId))).toBe(true);
    const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await (await fetch(download.body.url)).arrayBuffer())).toEqual(PDF);
  });

  it('rejects an 8 MiB text/plain upload that starts with a PDF header, judging it by its first bytes', async () => {
    // prepare: a PDF header followed by zeros, declared as text. The validator's ranged read of
    // the head is enough to see the mismatch; this does not time it.
    const owner = await newOwner();
    const bytes = new Uint8Array(8 * MiB);
    bytes.set(TEXT('%PDF-1.7\n%\u00e2\u00e3\n'));
    const fileId = await upload(owner, 'text/plain', bytes, 'notes.txt');

    // act
    const file = await waitForSettled(owner, fileId, 20_000);

    // assess
    expect(file.status).toBe('rejected');
    expect(file.reason).toMatch(/^it is really a PDF, not a plain text file$/);
    expect(await existsAfterSettling(incoming(owner, fileId))).toBe(false);
    expect(await objectExists(released(owner, fileId))).toBe(false);
  });

  // The emulator's event cannot be held back, so these confirms race the validator as they do in
  // the cloud: each answer must be pending or the final outcome, never anything else.
  it.each(outcomes)(
    'answers confirms made right after the PUT and after validation of a %s upload with pending or its final status',
    async (final, contentType, bytes) => {
      // prepare
      const owner = await newOwner();
      const fileId = await upload(owner, contentType, bytes);
      const confirm = () => api('POST', `/api/uploads/${fileId}/confirm`, { token: owner.idToken });

      // act: confirm until the validator has settled the file, then once more
      const answers: { status: number; body: any }[] = [];
      const deadline = Date.now() + 10_000;
      while (answers.every((a) => a.status === 200 && a.body.status === 'pending') && Date.now() < deadline) {
        answers.push(await confirm());
      }
      const settled = await waitForSettled(owner, fileId);
      const after = await confirm();

      // assess
      expect(answers.map((a) => [a.status, a.body.status ?? a.body.error?.code])).toEqual(
        answers.map((a) => [200, a.body.status === 'pending' ? 'pending' : final]),
      );
      expect(settled.status).toBe(final);
      expect(after.status).toBe(200);
      // The receipt names the SHA-256 S3 checked the PUT against, as the owner's list does.
      expect(settled.sha256).toEqual(expect.any(String));
      expect(after.body).toEqual({
        fileId,
        status: final,
        sha256: settled.sha256,
        ...(settled.reason ? { reason: settled.reason } : {}),
      });
      expect((await storedRecord(owner, fileId))?.status).toBe(final);
    },
  );

  // The same race, made certain: confirmUpload (the domain function behind the confirm route) runs
  // on the real emulators with an S3 client that, just before its first existence check, lets the
  // upload arrive and waits until the validator has settled it. This is the interleaving where a
  // client confirms before the S3 event has been processed.
  it.each(outcomes)(
    'answers a confirm that began before the validator settled a %s upload with the final status',
    async (final, contentType, bytes) => {
      // prepare: the upload is signed, the object not there yet
      const owner = await newOwner();
      const presign = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: describeUpload('upload.bin', contentType, bytes),
      });
      const fileId = presign.body.uploadId as string;
      const s3LettingTheValidatorRun = new S3Client({
        region: system.region,
        endpoint: system.s3Endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      let validatorHasRun = false;
      s3LettingTheValidatorRun.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'HeadObjectCommand' && !validatorHasRun) {
            validatorHasRun = true;
            expect((await putToS3(presign.body, bytes)).status).toBe(200);
            await waitForSettled(owner, fileId);
            await existsAfterSettling(incoming(owner, fileId));
          }
          return next(args);
        },
        { step: 'initialize', name: 'letTheValidatorRunFirst' },
      );
      const storage = {
        s3: s3LettingTheValidatorRun,
        bucket: system.bucket,
        files: { db, tableName: tableName('FILES_TABLE') },
        // The object arrived moments ago: its own event is the validator's to handle, not a request from confirm.
        requestValidation: () => Promise.reject(new Error('confirm asked for a validation it should not need')),
        lostEventAfterMs: 30_000,
      };

      // act
      const confirmed = await confirmUpload(storage, { ownerId: owner.sub }, fileId).then(
        (file) => ({ status: file.status, reason: file.reason }),
        (error: Error) => ({ error: `${error.name}: ${error.message}` }),
      );
      const after = await api('POST', `/api/uploads/${fileId}/confirm`, { token: owner.idToken });

      // assess
      expect(validatorHasRun).toBe(true);
      expect(after.body.status).toBe(final);
      expect(confirmed).toEqual({ status: final, reason: after.body.reason });
    },
  );

  it.each(outcomes)(
    'settles a %s upload once when its event is delivered twice at the same time',
    async (final, contentType, bytes) => {
      // prepare
      const owner = await newOwner();
      const fileId = await upload(owner, contentType, bytes);
      const key = incoming(owner, fileId);

      // act: two more deliveries of the same event, racing each other and the emulator's own
      // (a delivery that loses the race may fail; Lambda would retry it: what counts is the state)
      await Promise.allSettled([deliver(key, bytes.length), deliver(key, bytes.length)]);
      const file = await waitForSettled(owner, fileId);

      // assess
      expect(file.status).toBe(final);
      expect(await existsAfterSettling(key)).toBe(false);
      expect(await objectExists(released(owner, fileId))).toBe(final === 'clean');
      const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
      expect(download.status).toBe(final === 'clean' ? 200 : 409);
    },
  );

  it.each(outcomes)(
    'records the validation of a %s upload once in the audit trail, however often its event is delivered',
    async (final, contentType, bytes) => {
      // prepare
      const owner = await newOwner();
      const fileId = await upload(owner, contentType, bytes);
      const key = incoming(owner, fileId);

      // act
      await Promise.allSettled([deliver(key, bytes.length), deliver(key, bytes.length)]);
      await waitForSettled(owner, fileId);

      // assess
      const recorded = await validationsOnceQuiet(owner, fileId);
      expect(recorded).toHaveLength(1);
      expect(String(recorded[0]?.outcome)).toMatch(new RegExp(`^${final}`));
    },
  );

  it.each(outcomes)('never changes a %s file when a late event for it arrives', async (final, contentType, bytes) => {
    // prepare
    const owner = await newOwner();
    const fileId = await upload(owner, contentType, bytes);
    await waitForSettled(owner, fileId);
    const key = incoming(owner, fileId);
    expect(await existsAfterSettling(key)).toBe(false);
    const before = await storedRecord(owner, fileId);

    // act: the event again, after the file has settled (a redelivery, or one that came late)
    await deliver(key, bytes.length);

    // assess
    const afterRecord = await storedRecord(owner, fileId);
    expect(afterRecord).toEqual(before);
    expect(afterRecord?.status).toBe(final);
    expect(await objectExists(key)).toBe(false);
    expect(await objectExists(released(owner, fileId))).toBe(final === 'clean');
    const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
    expect(download.status).toBe(final === 'clean' ? 200 : 409);
  });

  it('keeps a rejected file rejected when its object is uploaded again and a late event arrives', async () => {
    // prepare: s3rver does not enforce If-None-Match, so the same URL can put the object back
    // (real S3 refuses that overwrite); the validator must still not revisit a settled file
    const owner = await newOwner();
    const presign = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('logo.png', 'image/png', PDF),
    });
    const fileId = presign.body.uploadId as string;
    expect((await putToS3(presign.body, PDF)).status).toBe(200);
    const rejected = await waitForSettled(owner, fileId);
    expect(rejected.status).toBe('rejected');
    await existsAfterSettling(incoming(owner, fileId));
    const before = await storedRecord(owner, fileId);

    // act
    await s3.send(
      new PutObjectCommand({
        Bucket: system.bucket,
        Key: incoming(owner, fileId),
        Body: PNG,
        ContentType: 'image/png',
      }),
    );
    await deliver(incoming(owner, fileId), PNG.length);

    // assess
    expect(await storedRecord(owner, fileId)).toEqual(before);
    expect(await existsAfterSettling(incoming(owner, fileId))).toBe(false);
    expect(await objectExists(released(owner, fileId))).toBe(false);
    expect((await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken })).status).toBe(409);
  });

  it.each([
    [
      'a key whose record does not exist',
      (owner: Owner) => `incoming/${owner.sub}/0${randomBytes(12).toString('base64url')}`,
    ],
    ['a key docdrop never signs (spaces, parentheses)', (owner: Owner) => `incoming/${owner.sub}/stray upload (1).pdf`],
  ])('removes the orphan object for %s', async (_case, keyFor) => {
    // prepare
    const owner = await newOwner();
    const key = keyFor(owner);
    await s3.send(new PutObjectCommand({ Bucket: system.bucket, Key: key, Body: PDF, ContentType: 'application/pdf' }));

    // act
    await deliver(key, PDF.length);

    // assess
    expect(await objectExists(key)).toBe(false);
    const list = await api('GET', '/api/files?limit=100', { token: owner.idToken });
    expect(list.body.items).toEqual([]);
  });
});
