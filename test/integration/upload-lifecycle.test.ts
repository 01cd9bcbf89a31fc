import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListPartsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectCreatedEvent } from '#commons/validation-requests';
import { incomingKey } from '#contracts/bucket';
import { limits } from '#contracts/limits';
import { type SweepDeps, sweepUploads } from '#domain/uploads/sweep-uploads';
import { LOCAL_VALIDATOR_NAME, S3_CREDENTIALS } from '../../local/environment';
import type { LocalSystem } from '../../local/system';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { describeUpload, PDF, putToS3 } from '../support/harness';

/**
 * The life of an upload that does not simply arrive, on a system of this test's own whose
 * upload URLs live 3 s (grace 1 s), whose sweep runs every half second, and whose S3 delivers
 * no events: every validation here is one the sweep or confirm asked for (or the test itself),
 * as happens when an event is lost. Shortened through the handlers' configuration, not mocks.
 */

const URL_SECONDS = 3;
const GRACE_SECONDS = 1;
let own: ConfiguredSystem;
let local: LocalSystem;
let owner: ConfiguredSystem['owner'];
let db: DynamoDBDocumentClient;
let s3: S3Client;
let lambda: LambdaClient;

const call: ConfiguredSystem['call'] = (...args) => own.call(...args);

const asOwner = (method: string, path: string, body?: unknown) =>
  call(method, path, { token: owner.idToken, ...(body === undefined ? {} : { body }) });

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

/** A PDF of its own: two uploads of it are two files, not a retry. */
const aPdf = (): Uint8Array => Buffer.concat([PDF, Buffer.from(`\n% ${randomUUID()}\n`)]);

async function newLink(maxUploads: number): Promise<{ linkId: string; token: string }> {
  const created = await asOwner('POST', '/api/links', { label: 'Lifecycle', maxUploads });
  expect(created.status).toBe(201);
  return created.body;
}

async function linkSeenByOwner(linkId: string) {
  const links = await asOwner('GET', '/api/links?limit=100');
  return links.body.items.find((link: { linkId: string }) => link.linkId === linkId);
}

async function usage(): Promise<{ usedBytes: number; reservedBytes: number }> {
  return (await asOwner('GET', '/api/usage')).body;
}

async function listed(fileId: string) {
  const files = await asOwner('GET', '/api/files?limit=100');
  return files.body.items.find((file: { fileId: string }) => file.fileId === fileId);
}

/** Polls until `check` answers something other than undefined, or fails after `timeoutMs`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still not ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const statusBecomes = (fileId: string, status: string) =>
  eventually(status, async () => {
    const file = await listed(fileId);
    return file?.status === status ? file : undefined;
  });

beforeAll(async () => {
  own = await startConfiguredSystem('uploads', {
    deliverS3Events: false,
    sweepIntervalMs: 500,
    environment: {
      UPLOAD_URL_SECONDS: String(URL_SECONDS),
      UPLOAD_GRACE_SECONDS: String(GRACE_SECONDS),
      LOST_EVENT_SECONDS: '1',
    },
  });
  ({ local, owner } = own);
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: local.region,
      endpoint: local.dynamodbEndpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  lambda = new LambdaClient({ region: local.region, endpoint: local.lambdaEndpoint, credentials: S3_CREDENTIALS });
  s3 = localS3Client();
}, 120_000);

/** An S3 client of this test's own system, configured as the handlers' are. */
const localS3Client = () =>
  new S3Client({
    region: local.region,
    endpoint: local.s3Endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

afterAll(async () => {
  await own?.stop();
});

describe('an upload that is never sent', () => {
  it('gives its link use and bytes back once its URL has expired, and shows as expired in the list and the trail', async () => {
    // prepare
    const link = await newLink(1);
    const bytes = aPdf();
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('never-sent.pdf', 'application/pdf', bytes),
    });
    expect(signed.status).toBe(201);
    expect(Date.parse(signed.body.expiresAt) - Date.now()).toBeLessThanOrEqual(URL_SECONDS * 1000);
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 1, uploadsLeft: 0 });

    // act: the URL's lifetime and the grace pass; the sweep runs
    const expired = await statusBecomes(signed.body.uploadId, 'expired');

    // assess
    expect(expired).toMatchObject({ name: 'never-sent.pdf', status: 'expired' });
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 0, usesInFlight: 0, uploadsLeft: 1 });
    expect((await usage()).reservedBytes).toBe(0);
    const trail = await asOwner('GET', '/api/audit?limit=100');
    expect(trail.body.items).toContainEqual(
      expect.objectContaining({ action: 'upload.expire', objectId: signed.body.uploadId, actor: 'system:sweep' }),
    );
    const download = await asOwner('GET', `/api/files/${signed.body.uploadId}/download`);
    expect(download.status).toBe(409);
    expect(download.body.error.code).toBe('not_sent');
    // The link's use is back: the client can send the file now.
    const again = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('never-sent.pdf', 'application/pdf', bytes),
    });
    expect(again.status).toBe(201);
    expect(again.body.uploadId).not.toBe(signed.body.uploadId);
  });

  it('rejects, saying why, a file that lands after its upload was given up', async () => {
    // prepare: an owner upload that expires unsent
    const bytes = aPdf();
    const signed = await asOwner('POST', '/api/uploads', describeUpload('late.pdf', 'application/pdf', bytes));
    await statusBecomes(signed.body.uploadId, 'expired');

    // act: the PUT that began in time and took longer than the grace lands now
    await s3.send(
      new PutObjectCommand({
        Bucket: local.bucket,
        Key: incomingKey(owner.sub, signed.body.uploadId),
        Body: bytes,
        ContentType: 'application/pdf',
      }),
    );
    await lambda.send(
      new InvokeCommand({
        FunctionName: LOCAL_VALIDATOR_NAME,
        InvocationType: 'Event',
        Payload: JSON.stringify(objectCreatedEvent(local.bucket, incomingKey(owner.sub, signed.body.uploadId))),
      }),
    );

    // assess: its event reaches the validator (through the emulated Lambda Invoke API), which rejects it
    const rejected = await statusBecomes(signed.body.uploadId, 'rejected');
    expect(rejected.reason).toMatch(/after its upload URL had expired/);
    expect((await usage()).reservedBytes).toBe(0);
  });
});

describe('abandoning an upload', () => {
  it('gives a link upload not yet sent back at once: 204, the use and the bytes returned, the record gone', async () => {
    // prepare
    const link = await newLink(1);
    const before = await usage();
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('cancelled.pdf', 'application/pdf', aPdf()),
    });
    expect(signed.status).toBe(201);

    // act
    const abandoned = await call('DELETE', `/api/drop/uploads/${signed.body.uploadId}`, { uploadToken: link.token });

    // assess
    expect(abandoned.status).toBe(204);
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 0, usesInFlight: 0, uploadsLeft: 1 });
    expect((await usage()).reservedBytes).toBe(before.reservedBytes);
    expect(await listed(signed.body.uploadId)).toBeUndefined();
    const trail = await asOwner('GET', '/api/audit?limit=100');
    expect(trail.body.items).toContainEqual(
      expect.objectContaining({ action: 'upload.abandon', objectId: signed.body.uploadId }),
    );
  });

  it('gives an owner upload not yet sent back at once', async () => {
    // prepare
    const before = await usage();
    const signed = await asOwner('POST', '/api/uploads', describeUpload('mine.pdf', 'application/pdf', aPdf()));

    // act
    const abandoned = await asOwner('DELETE', `/api/uploads/${signed.body.uploadId}`);

    // assess
    expect(abandoned.status).toBe(204);
    expect((await usage()).reservedBytes).toBe(before.reservedBytes);
  });

  it('refuses with 409 upload_arrived an upload whose file has arrived, and keeps its use held', async () => {
    // prepare
    const link = await newLink(1);
    const bytes = aPdf();
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('arrived.pdf', 'application/pdf', bytes),
    });
    expect((await putToS3(signed.body, bytes)).status).toBe(200);

    // act
    const abandoned = await call('DELETE', `/api/drop/uploads/${signed.body.uploadId}`, { uploadToken: link.token });

    // assess
    expect(abandoned.status).toBe(409);
    expect(abandoned.body.error.code).toBe('upload_arrived');
    expect((await linkSeenByOwner(link.linkId)).usesTaken).toBe(1);
  });

  it("answers 404 to a link holder abandoning another link's upload", async () => {
    // prepare
    const mine = await newLink(1);
    const theirs = await newLink(1);
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: theirs.token,
      body: describeUpload('theirs.pdf', 'application/pdf', aPdf()),
    });

    // act
    const abandoned = await call('DELETE', `/api/drop/uploads/${signed.body.uploadId}`, { uploadToken: mine.token });

    // assess
    expect(abandoned.status).toBe(404);
    expect((await linkSeenByOwner(theirs.linkId)).usesTaken).toBe(1);
  });
});

describe('an upload whose event was lost', () => {
  it('is validated by the sweep without anyone confirming it, and its link use is spent', async () => {
    // prepare
    const link = await newLink(1);
    const bytes = aPdf();
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('swept.pdf', 'application/pdf', bytes),
    });

    // act
    expect((await putToS3(signed.body, bytes)).status).toBe(200);

    // assess
    await statusBecomes(signed.body.uploadId, 'clean');
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 0 });
  });
});

describe('a multipart upload past its time', () => {
  // A multipart upload stays open a day (`multipart.uploadSeconds`, not shortened by
  // UPLOAD_URL_SECONDS): these tests run the sweep's domain function at a `now` past that day
  // and the grace, against this system's emulators, instead of waiting for it.
  const MiB = 1024 * 1024;
  const nineMiBPdf = () => Buffer.concat([PDF, randomBytes(9 * MiB - PDF.length)]);
  const origin = { actor: 'system:sweep' as const, requestId: randomUUID() };

  function sweepDeps(storageClient: S3Client = s3, requested: string[] = []): SweepDeps {
    const table = (name: string) => ({ db, tableName: local.tableNames[name] as string });
    const files = table('FILES_TABLE');
    return {
      storage: { s3: storageClient, bucket: local.bucket, files },
      files,
      quotas: table('QUOTAS_TABLE'),
      links: table('LINKS_TABLE'),
      audit: { ...table('AUDIT_TABLE'), retentionDays: limits.auditRetentionDays },
      graceSeconds: GRACE_SECONDS,
      lostEventAfterMs: 1000,
      // Asked as the sweep asks in the cloud: an asynchronous Invoke of the validator.
      requestValidation: async (key) => {
        requested.push(key);
        await lambda.send(
          new InvokeCommand({
            FunctionName: LOCAL_VALIDATOR_NAME,
            InvocationType: 'Event',
            Payload: JSON.stringify(objectCreatedEvent(local.bucket, key)),
          }),
        );
      },
    };
  }

  /** Opens a multipart upload through a link and sends the parts numbered, as a browser would. */
  async function startOnLink(token: string, bytes: Buffer, partsToSend: number[]) {
    const started = await call('POST', '/api/drop/uploads', {
      uploadToken: token,
      body: { fileName: 'recording.pdf', contentType: 'application/pdf', size: bytes.length, multipart: true },
    });
    expect(started.status).toBe(201);
    const { uploadId, partSize } = started.body as { uploadId: string; partSize: number };
    const body = (n: number) => bytes.subarray((n - 1) * partSize, n * partSize);
    const signed = await call('POST', `/api/drop/uploads/${uploadId}/parts`, {
      uploadToken: token,
      body: { parts: partsToSend.map((n) => ({ partNumber: n, size: body(n).length, sha256: sha256Of(body(n)) })) },
    });
    expect(signed.status).toBe(200);
    for (const part of signed.body.parts as { partNumber: number; url: string; headers: Record<string, string> }[]) {
      const sent = await fetch(part.url, {
        method: 'PUT',
        headers: { 'x-amz-checksum-sha256': part.headers['x-amz-checksum-sha256'] as string },
        body: body(part.partNumber),
      });
      expect(sent.status).toBe(200);
    }
    const { Item } = await db.send(
      new GetCommand({
        TableName: local.tableNames.FILES_TABLE as string,
        Key: { ownerId: owner.sub, fileId: uploadId },
        ConsistentRead: true,
      }),
    );
    const pastItsTime = new Date(Date.parse(started.body.expiresAt) + (GRACE_SECONDS + 1) * 1000);
    return { uploadId, s3UploadId: Item?.multipart.s3UploadId as string, pastItsTime };
  }

  /** The owner's usage item's open reservation for this upload, if any. */
  async function openReservation(uploadId: string): Promise<{ bytes: number } | undefined> {
    const { Item } = await db.send(
      new GetCommand({
        TableName: local.tableNames.QUOTAS_TABLE as string,
        Key: { ownerId: owner.sub, entry: 'usage' },
        ConsistentRead: true,
      }),
    );
    return Item?.open?.[uploadId];
  }

  const partsHeld = (uploadId: string, s3UploadId: string) =>
    s3.send(
      new ListPartsCommand({ Bucket: local.bucket, Key: incomingKey(owner.sub, uploadId), UploadId: s3UploadId }),
    );

  it('is aborted when never completed (ListParts then answers NoSuchUpload), and its link use and bytes are given back', async () => {
    // prepare: one part of two sent, then the sender went away
    const link = await newLink(1);
    const upload = await startOnLink(link.token, nineMiBPdf(), [1]);
    expect((await partsHeld(upload.uploadId, upload.s3UploadId)).Parts).toHaveLength(1);
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 1 });
    expect(await openReservation(upload.uploadId)).toMatchObject({ bytes: 9 * MiB });

    // act
    const report = await sweepUploads(sweepDeps(), origin, upload.pastItsTime);

    // assess
    expect(report.expired).toBeGreaterThanOrEqual(1);
    await expect(partsHeld(upload.uploadId, upload.s3UploadId)).rejects.toMatchObject({ name: 'NoSuchUpload' });
    expect(await listed(upload.uploadId)).toMatchObject({ status: 'expired' });
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 0, usesInFlight: 0, uploadsLeft: 1 });
    // (The sweep's `now` is a day ahead, so other tests' leftovers may be given back too: this
    // upload's own reservation is what is looked at.)
    expect(await openReservation(upload.uploadId)).toBeUndefined();
    const trail = await asOwner('GET', '/api/audit?limit=100');
    expect(trail.body.items).toContainEqual(
      expect.objectContaining({ action: 'upload.expire', objectId: upload.uploadId, outcome: 'given-back' }),
    );
  });

  it('is not aborted once completed: the validator is asked for it and it is released', async () => {
    // prepare: every part sent, and completed
    const link = await newLink(1);
    const bytes = nineMiBPdf();
    const upload = await startOnLink(link.token, bytes, [1, 2]);
    const completed = await call('POST', `/api/drop/uploads/${upload.uploadId}/complete`, { uploadToken: link.token });
    expect(completed.status).toBe(200);
    const { client, sent } = recordingS3Client();
    const requested: string[] = [];

    // act
    await sweepUploads(sweepDeps(client, requested), origin, upload.pastItsTime);

    // assess: no abort; validation asked; released, its use spent
    expect(sent).not.toContain('AbortMultipartUploadCommand');
    expect(requested).toContain(incomingKey(owner.sub, upload.uploadId));
    expect(await statusBecomes(upload.uploadId, 'clean')).toMatchObject({ size: bytes.length });
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 0 });
  });

  it('is left to the validator when its complete wins the race with the abort (completed between the HEAD and the abort)', async () => {
    // prepare: every part sent; the complete is made to land just before the sweep's abort
    const link = await newLink(1);
    const upload = await startOnLink(link.token, nineMiBPdf(), [1, 2]);
    const { client } = recordingS3Client(async (command) => {
      if (command !== 'AbortMultipartUploadCommand') return;
      const completed = await call('POST', `/api/drop/uploads/${upload.uploadId}/complete`, {
        uploadToken: link.token,
      });
      expect(completed.status).toBe(200);
    });

    // act
    await sweepUploads(sweepDeps(client), origin, upload.pastItsTime);

    // assess: not given back; the validator releases it and the use is spent
    expect((await listed(upload.uploadId))?.status).not.toBe('expired');
    expect(await statusBecomes(upload.uploadId, 'clean')).toMatchObject({ status: 'clean' });
    expect(await linkSeenByOwner(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 0 });
  });
});

/** An S3 client of this system that records the commands it sends, and may run something just before one. */
function recordingS3Client(before?: (command: string) => Promise<void>) {
  const sent: string[] = [];
  const client = localS3Client();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      sent.push(command);
      await before?.(command);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return { client, sent };
}
