import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incomingKey } from '#contracts/bucket';
import { limits } from '#contracts/limits';
import { type ValidatorDeps, validateUpload } from '#domain/validation/validate-upload';
import { S3_CREDENTIALS } from '../../local/environment';
import type { LocalSystem } from '../../local/system';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { describeUpload, PDF, putToS3 } from '../support/harness';

/**
 * Two validator deliveries of one upload, the first held between its read and its settle, on a
 * system of this test's own that delivers no S3 events and sweeps at its default pace: the two
 * deliveries are the test's own. (In upload-lifecycle.test.ts, whose sweep runs every half
 * second and asks for any upload a second old, a loaded CI once let the sweep settle it first.)
 */

let own: ConfiguredSystem;
let local: LocalSystem;
let owner: ConfiguredSystem['owner'];
let db: DynamoDBDocumentClient;
let s3: S3Client;

const call: ConfiguredSystem['call'] = (...args) => own.call(...args);

const asOwner = (method: string, path: string, body?: unknown) =>
  call(method, path, { token: owner.idToken, ...(body === undefined ? {} : { body }) });

/** A PDF of its own: two uploads of it are two files, not a retry. */
const aPdf = (): Uint8Array => Buffer.concat([PDF, Buffer.from(`\n% ${randomUUID()}\n`)]);

async function newLink(maxUploads: number): Promise<{ linkId: string; token: string }> {
  const created = await asOwner('POST', '/api/links', { label: 'Deliveries', maxUploads });
  expect(created.status).toBe(201);
  return created.body;
}

async function usage(): Promise<{ usedBytes: number; reservedBytes: number }> {
  return (await asOwner('GET', '/api/usage')).body;
}

beforeAll(async () => {
  own = await startConfiguredSystem('deliveries', { deliverS3Events: false });
  ({ local, owner } = own);
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: local.region,
      endpoint: local.dynamodbEndpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  s3 = new S3Client({
    region: local.region,
    endpoint: local.s3Endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}, 120_000);

afterAll(async () => {
  await own?.stop();
});

describe('two deliveries of one upload', () => {
  it('count its bytes and its link use once when one is held between its read and its settle', async () => {
    // prepare: a link upload in storage, and two validator deliveries of it, the first one gated
    const link = await newLink(2);
    const bytes = aPdf();
    const signed = await call('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: describeUpload('twice.pdf', 'application/pdf', bytes),
    });
    const before = await usage();
    expect((await putToS3(signed.body, bytes)).status).toBe(200);
    const key = incomingKey(owner.sub, signed.body.uploadId);
    let reachedGate!: () => void;
    const atGate = new Promise<void>((resolve) => {
      reachedGate = resolve;
    });
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => {
      openGate = resolve;
    });
    const gatedClient = new DynamoDBClient({
      region: local.region,
      endpoint: local.dynamodbEndpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    let armed = true;
    gatedClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (armed && context.commandName === 'TransactWriteItemsCommand') {
          armed = false;
          reachedGate();
          await gate;
        }
        return next(args);
      },
      { step: 'initialize', name: 'holdTheFirstSettle' },
    );
    const depsFor = (client: DynamoDBDocumentClient): ValidatorDeps => ({
      s3,
      bucket: local.bucket,
      files: { db: client, tableName: local.tableNames.FILES_TABLE as string },
      quotas: { db: client, tableName: local.tableNames.QUOTAS_TABLE as string },
      links: { db: client, tableName: local.tableNames.LINKS_TABLE as string },
      shares: { db: client, tableName: local.tableNames.SHARES_TABLE as string },
      images: { maxPixels: limits.maxImagePixels },
      noncurrentVersionDays: limits.noncurrentVersionDays,
    });

    // act: the first delivery reads the pending record and waits at its settle; the second runs whole
    const first = validateUpload(depsFor(DynamoDBDocumentClient.from(gatedClient)), key);
    await atGate;
    const second = await validateUpload(depsFor(db), key);
    openGate();
    const held = await first;

    // assess: one settled it, the other changed nothing
    expect([second.outcome, held.outcome].sort()).toEqual(['already-settled', 'clean']);
    expect(await usage()).toMatchObject({
      usedBytes: before.usedBytes + bytes.length,
      reservedBytes: before.reservedBytes - bytes.length,
    });
    const { Item } = await db.send(
      new GetCommand({
        TableName: local.tableNames.LINKS_TABLE as string,
        Key: { linkId: link.linkId },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({ usesTaken: 1, holds: {} });
  });
});
