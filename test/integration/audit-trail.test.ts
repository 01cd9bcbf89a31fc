import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { VIEWER_ADDRESS_HEADER } from '#contracts/web-security';
import {
  api,
  db,
  describeUpload,
  newOwner,
  type Owner,
  PDF,
  PNG,
  putToS3,
  tableName,
  waitForSettled,
} from '../support/harness';

/**
 * The audit trail: every action of the happy paths leaves one entry naming who (user or
 * link), the request, the source address, when, what and how it ended; `GET /api/audit` gives
 * an owner their own trail, newest first, a page at a time, and nobody else's.
 */

interface TrailEntry {
  eventId: string;
  at: string;
  action: string;
  actor: string;
  objectId: string;
  outcome: string;
  requestId?: string;
  sourceIp?: string;
}

/** Every page of the owner's trail, following cursors. */
async function wholeTrail(owner: Owner, limit = 100): Promise<{ entries: TrailEntry[]; pages: number }> {
  const entries: TrailEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const response = await api(
      'GET',
      `/api/audit?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: owner.idToken },
    );
    expect(response.status).toBe(200);
    entries.push(...response.body.items);
    cursor = response.body.cursor;
    pages++;
  } while (cursor && pages < 100);
  return { entries, pages };
}

/** The validation's entry and the link notice are written just after the file settles: poll for them. */
async function trailWith(owner: Owner, actions: string[]): Promise<TrailEntry[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { entries } = await wholeTrail(owner);
    const present = new Set(entries.map((entry) => entry.action));
    if (actions.every((action) => present.has(action)) || Date.now() > deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('audit trail of the happy paths', () => {
  let owner: Owner;
  let linkToken: string;
  let linkId: string;
  let linkUploadId: string;
  let ownerFileId: string;
  let presignedUrls: string[];
  let trail: TrailEntry[];
  let repeatedConfirms: { status: number; body: { status?: string } }[];

  beforeAll(async () => {
    owner = await newOwner();
    const link = await api('POST', '/api/links', {
      token: owner.idToken,
      body: { label: 'Audit', maxUploads: 2 },
    });
    linkToken = link.body.token;
    linkId = link.body.linkId;
    const drop = await api('POST', '/api/drop/uploads', {
      uploadToken: linkToken,
      body: describeUpload('scan.pdf', 'application/pdf', PDF),
    });
    linkUploadId = drop.body.uploadId;
    await putToS3(drop.body, PDF);
    await api('POST', `/api/drop/uploads/${linkUploadId}/confirm`, { uploadToken: linkToken });
    const own = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('dot.png', 'image/png', PNG),
    });
    ownerFileId = own.body.uploadId;
    await putToS3(own.body, PNG);
    await waitForSettled(owner, ownerFileId);
    await waitForSettled(owner, linkUploadId);
    await api('POST', `/api/uploads/${ownerFileId}/confirm`, { token: owner.idToken });
    // Following the checks as the drop page and the profile photo do: confirm asked again.
    repeatedConfirms = [
      await api('POST', `/api/drop/uploads/${linkUploadId}/confirm`, { uploadToken: linkToken }),
      await api('POST', `/api/drop/uploads/${linkUploadId}/confirm`, { uploadToken: linkToken }),
      await api('POST', `/api/uploads/${ownerFileId}/confirm`, { token: owner.idToken }),
    ];
    const download = await api('GET', `/api/files/${ownerFileId}/download`, { token: owner.idToken });
    const thumbnail = await api('GET', `/api/files/${ownerFileId}/thumbnail`, { token: owner.idToken });
    presignedUrls = [drop.body.url, own.body.url, download.body.url, thumbnail.body.url];
    expect((await api('DELETE', `/api/files/${linkUploadId}`, { token: owner.idToken })).status).toBe(204);
    expect((await api('DELETE', `/api/links/${linkId}`, { token: owner.idToken })).status).toBe(204);
    trail = await trailWith(owner, ['upload.validate', 'link.arrival']);
  });

  it.each([
    ['link.create', 'user', () => linkId, 'created'],
    ['link.revoke', 'user', () => linkId, 'revoked'],
    ['upload.presign', 'link', () => linkUploadId, 'signed'],
    ['upload.confirm', 'link', () => linkUploadId, /^(pending|clean)$/],
    ['upload.presign', 'user', () => ownerFileId, 'signed'],
    ['upload.confirm', 'user', () => ownerFileId, 'clean'],
    ['file.download', 'user', () => ownerFileId, 'signed'],
    ['file.thumbnail', 'user', () => ownerFileId, 'signed'],
    ['file.delete', 'user', () => linkUploadId, 'deleted'],
  ] as const)('records %s by a %s with the request id and source address', (action, kind, objectId, outcome) => {
    // act
    const entries = trail.filter((entry) => entry.action === action && entry.objectId === objectId());

    // assess
    expect(entries).toHaveLength(1);
    const [entry] = entries as [TrailEntry];
    expect(entry.actor).toBe(kind === 'user' ? `user:${owner.sub}` : `link:${linkId}`);
    expect(entry.outcome).toMatch(outcome);
    expect(entry.requestId).toMatch(/^[\w-]{8,}$/);
    expect(entry.sourceIp).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    expect(Date.parse(entry.at)).toBeGreaterThan(Date.now() - 120_000);
  });

  it('answers a repeated confirm with the current state and records only the first confirmation', () => {
    // act
    const confirmations = (fileId: string) =>
      trail.filter((entry) => entry.action === 'upload.confirm' && entry.objectId === fileId);

    // assess
    expect(repeatedConfirms.map(({ status, body }) => [status, body.status])).toEqual([
      [200, 'clean'],
      [200, 'clean'],
      [200, 'clean'],
    ]);
    expect(confirmations(linkUploadId)).toHaveLength(1);
    expect(confirmations(ownerFileId)).toHaveLength(1);
  });

  it.each([
    ['link upload', () => linkUploadId],
    ['owner upload', () => ownerFileId],
  ])('records the validation of the %s with the validator’s request id and the uploader’s address', (_, fileId) => {
    // act
    const entries = trail.filter((entry) => entry.action === 'upload.validate' && entry.objectId === fileId());

    // assess
    expect(entries).toEqual([
      expect.objectContaining({
        actor: 'system:validator',
        outcome: 'clean',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sourceIp: expect.any(String),
      }),
    ]);
  });

  it('records the connection’s own address, not one the caller claims in the viewer-address header', async () => {
    // prepare: the local gateway stands in for CloudFront, which overwrites the header
    const claimed = '203.0.113.66';
    const claimant = await newOwner();

    // act
    const created = await api('POST', '/api/links', {
      token: claimant.idToken,
      body: { label: 'claims another address' },
      headers: { [VIEWER_ADDRESS_HEADER]: claimed },
    });
    const entries = await trailWith(claimant, ['link.create']);

    // assess
    expect(created.status).toBe(201);
    const entry = entries.find((item) => item.action === 'link.create' && item.objectId === created.body.linkId);
    expect(entry?.sourceIp).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });

  it('records the arrival notice of the link upload for its owner', () => {
    // act
    const notices = trail.filter((entry) => entry.action === 'link.arrival');

    // assess
    expect(notices).toEqual([
      expect.objectContaining({ actor: `link:${linkId}`, objectId: linkUploadId, outcome: 'clean' }),
    ]);
    expect(notices[0]?.requestId).toBeDefined();
  });

  it('lists the trail newest first', () => {
    // act
    const times = trail.map((entry) => Date.parse(entry.at));

    // assess
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(trail.at(-1)?.action).toBe('link.create');
  });

  it('never holds a token, a JWT or a presigned URL', async () => {
    // prepare: the stored items, not only what the API shows
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: tableName('AUDIT_TABLE'),
        KeyConditionExpression: 'ownerId = :owner',
        ExpressionAttributeValues: { ':owner': owner.sub },
      }),
    );

    // act
    const stored = JSON.stringify(Items);

    // assess
    expect(Items.length).toBe(trail.length);
    for (const secret of [linkToken, linkToken.split('.')[1] as string, owner.idToken, ...presignedUrls]) {
      expect(stored).not.toContain(secret);
    }
    expect(stored).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  });

  it('keeps each entry for the configured retention, by TTL', async () => {
    // prepare
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: tableName('AUDIT_TABLE'),
        KeyConditionExpression: 'ownerId = :owner',
        ExpressionAttributeValues: { ':owner': owner.sub },
      }),
    );

    // act
    const retainedDays = Items.map((item) => (item.ttl - Date.parse(item.at) / 1000) / 86_400);

    // assess
    expect(retainedDays.length).toBeGreaterThan(0);
    for (const days of retainedDays) expect(Math.round(days)).toBe(limits.auditRetentionDays);
  });
});

describe('GET /api/audit', () => {
  /** An owner with a few entries: links created one after another. */
  async function ownerWithEntries(count: number): Promise<Owner> {
    const owner = await newOwner();
    for (let i = 0; i < count; i++) {
      expect((await api('POST', '/api/links', { token: owner.idToken, body: { label: `Link ${i}` } })).status).toBe(
        201,
      );
    }
    return owner;
  }

  it('pages through the whole trail with the cursor, each entry once', async () => {
    // prepare
    const owner = await ownerWithEntries(7);
    const { entries: all } = await wholeTrail(owner);

    // act
    const { entries: paged, pages } = await wholeTrail(owner, 2);

    // assess
    expect(all).toHaveLength(7);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(paged.map((entry) => entry.eventId)).toEqual(all.map((entry) => entry.eventId));
  });

  it('never shows another owner’s trail, not even with their cursor', async () => {
    // prepare
    const alice = await ownerWithEntries(3);
    const mallory = await newOwner();
    const alicePage = await api('GET', '/api/audit?limit=1', { token: alice.idToken });
    expect(alicePage.body.cursor).toBeDefined();

    // act
    const own = await api('GET', '/api/audit', { token: mallory.idToken });
    const withAlicesCursor = await api('GET', `/api/audit?cursor=${encodeURIComponent(alicePage.body.cursor)}`, {
      token: mallory.idToken,
    });

    // assess
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([]);
    expect(withAlicesCursor.status).toBe(400);
    expect(withAlicesCursor.body.error.code).toBe('invalid_cursor');
  });

  it('leaves out an entry past its retention even before TTL removes it', async () => {
    // prepare
    const owner = await ownerWithEntries(2);
    const { entries } = await wholeTrail(owner);
    await db.send(
      new UpdateCommand({
        TableName: tableName('AUDIT_TABLE'),
        Key: { ownerId: owner.sub, eventId: entries[1]?.eventId },
        UpdateExpression: 'SET #ttl = :past',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );

    // act
    const { entries: after } = await wholeTrail(owner);

    // assess
    expect(after.map((entry) => entry.eventId)).toEqual([entries[0]?.eventId]);
  });

  it.each([
    ['limit=0', 'invalid_query'],
    ['limit=101', 'invalid_query'],
    ['limit=ten', 'invalid_query'],
    ['owner=someone-else', 'invalid_query'],
    ['cursor=not-a-cursor', 'invalid_cursor'],
    [`cursor=${Buffer.from(JSON.stringify({ ownerId: 'x', fileId: 'y' })).toString('base64url')}`, 'invalid_cursor'],
    [`cursor=${'A'.repeat(3000)}`, 'invalid_query'],
  ])('refuses the query %s with 400 %s', async (query, code) => {
    // prepare
    const owner = await newOwner();

    // act
    const response = await api('GET', `/api/audit?${query}`, { token: owner.idToken });

    // assess
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(code);
  });

  it('refuses a caller without a token', async () => {
    // act
    const response = await api('GET', '/api/audit');

    // assess
    expect(response.status).toBe(401);
  });
});
