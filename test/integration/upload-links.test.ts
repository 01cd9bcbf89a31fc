import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import {
  api,
  db,
  describeUpload,
  expectError,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  PNG,
  putToS3,
  sha256Base64,
  TEXT,
  tableName,
  waitForSettled,
} from '../support/harness';

const MiB = 1024 * 1024;
const DEFAULT_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'text/plain'];
/** The per-file limit of the test system (no MAX_FILE_BYTES override: the product default). */
const MAX_FILE_BYTES = limits.maxFileBytes;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/;

async function createLink(owner: Owner, input: Record<string, unknown> = {}) {
  const created = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Client docs', ...input } });
  expect(created.status).toBe(201);
  return created.body as { linkId: string; token: string; url: string; expiresAt: string; maxUploads: number };
}

/** The link's item as stored, read past the API. */
async function storedLink(linkId: string): Promise<Record<string, any>> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName('LINKS_TABLE'), Key: { linkId }, ConsistentRead: true }),
  );
  expect(Item).toBeDefined();
  return Item as Record<string, any>;
}

/**
 * Moves a link's expiry in the table, as time passing would. The `ttl` attribute stays in the
 * future, as it does while DynamoDB has not yet removed an expired item (TTL runs up to ~48 h late).
 */
async function setLinkExpiry(linkId: string, expiresAt: Date): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: tableName('LINKS_TABLE'),
      Key: { linkId },
      UpdateExpression: 'SET expiresAt = :iso, expiresAtEpoch = :epoch',
      ExpressionAttributeValues: {
        ':iso': expiresAt.toISOString(),
        ':epoch': Math.floor(expiresAt.getTime() / 1000),
      },
    }),
  );
}

/** Another client's PDF: a file of its own, not a retry of one already signed (which would get its upload back). */
const anotherPdf = (n: number): Uint8Array => Buffer.concat([PDF, Buffer.from(`\n% client ${n}\n`)]);

const presignThroughLink = (token: string, bytes: Uint8Array, fileName = 'scan.pdf', contentType = 'application/pdf') =>
  api('POST', '/api/drop/uploads', { uploadToken: token, body: describeUpload(fileName, contentType, bytes) });

const confirmThroughLink = (token: string, uploadId: string) =>
  api('POST', `/api/drop/uploads/${uploadId}/confirm`, { uploadToken: token });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('upload links: the whole flow', () => {
  it('lets a client upload through a link and the owner list, download and delete what came in', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = PDF;

    // act: the owner creates a link
    const created = await api('POST', '/api/links', {
      token: owner.idToken,
      body: {
        label: 'ACME tax papers',
        expiresInHours: 24,
        maxUploads: 1,
        maxBytes: MiB,
        allowedTypes: ['application/pdf'],
      },
    });

    // assess: the link and its token, which rides in the URL fragment only
    expect(created.status).toBe(201);
    const link = created.body;
    expect(link).toEqual({
      linkId: expect.any(String),
      label: 'ACME tax papers',
      token: expect.stringMatching(TOKEN_SHAPE),
      url: expect.any(String),
      expiresAt: expect.any(String),
      maxUploads: 1,
      maxBytes: MiB,
      allowedTypes: ['application/pdf'],
    });
    expect(link.url.endsWith(`/u/#${link.token}`)).toBe(true);
    const linkUrl = new URL(link.url);
    expect(linkUrl.pathname).toBe('/u/');
    expect(linkUrl.search).toBe('');
    const hoursToExpiry = (Date.parse(link.expiresAt) - Date.now()) / 3_600_000;
    expect(hoursToExpiry).toBeGreaterThan(23.9);
    expect(hoursToExpiry).toBeLessThanOrEqual(24);

    // act: the client opens the link
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });

    // assess: what the client may send, and nothing about the owner
    expect(drop.status).toBe(200);
    expect(drop.body).toEqual({
      label: 'ACME tax papers',
      uploadsLeft: 1,
      maxBytes: MiB,
      allowedTypes: ['application/pdf'],
      expiresAt: link.expiresAt,
    });

    // act: the client asks for a signed PUT and sends the bytes
    const presign = await presignThroughLink(link.token, bytes, 'Return 2025.pdf');

    // assess
    expect(presign.status).toBe(201);
    expect(presign.body).toEqual({
      uploadId: expect.any(String),
      method: 'PUT',
      url: expect.any(String),
      headers: expect.objectContaining({ 'content-type': 'application/pdf', 'if-none-match': '*' }),
      expiresAt: expect.any(String),
    });
    expect(presign.body.url).not.toContain('x-amz-checksum-crc32');
    expect(presign.body.url).not.toContain(link.token);
    const uploadId: string = presign.body.uploadId;
    const put = await putToS3(presign.body, bytes);
    expect(put.status).toBe(200);

    // act: the client confirms (the link's only use is taken: confirming still works)
    const confirm = await confirmThroughLink(link.token, uploadId);

    // assess
    expect(confirm.status).toBe(200);
    // The receipt names the SHA-256 S3 checked the PUT against.
    expect(confirm.body).toEqual({
      uploadId,
      status: expect.stringMatching(/^(pending|clean)$/),
      sha256: sha256Base64(bytes),
    });

    // act: the owner sees it, downloads it, deletes it
    const file = await waitForSettled(owner, uploadId);
    const download = await api('GET', `/api/files/${uploadId}/download`, { token: owner.idToken });
    const fetched = await fetch(download.body.url);
    const fetchedBytes = new Uint8Array(await fetched.arrayBuffer());
    const removed = await api('DELETE', `/api/files/${uploadId}`, { token: owner.idToken });

    // assess
    expect(file).toMatchObject({
      fileId: uploadId,
      name: 'Return 2025.pdf',
      size: bytes.length,
      contentType: 'application/pdf',
      status: 'clean',
      linkId: link.linkId,
    });
    expect(download.status).toBe(200);
    expect(fetched.status).toBe(200);
    expect(fetchedBytes).toEqual(bytes);
    expect(removed.status).toBe(204);
    expect(await objectExists(`incoming/${owner.sub}/${uploadId}`)).toBe(false);
    expect(await objectExists(`files/${owner.sub}/${uploadId}`)).toBe(false);
    const listed = await api('GET', '/api/files?limit=100', { token: owner.idToken });
    expect(listed.body.items.map((item: { fileId: string }) => item.fileId)).not.toContain(uploadId);
  });
});

describe('upload links: the owner list', () => {
  it("lists the owner's own links with uses taken and left, state and revoked flag, never the token or its hash", async () => {
    // prepare: one link in each state, and another owner's link
    const owner = await newOwner();
    const stranger = await newOwner();
    const active = await createLink(owner, { label: 'active', maxUploads: 3 });
    const usedUp = await createLink(owner, { label: 'used up', maxUploads: 1 });
    const revoked = await createLink(owner, { label: 'revoked', maxUploads: 2 });
    const expired = await createLink(owner, { label: 'expired', maxUploads: 2 });
    const strangers = await createLink(stranger, { label: 'not yours' });
    expect((await presignThroughLink(active.token, PDF)).status).toBe(201);
    expect((await presignThroughLink(usedUp.token, PDF)).status).toBe(201);
    expect((await api('DELETE', `/api/links/${revoked.linkId}`, { token: owner.idToken })).status).toBe(204);
    await setLinkExpiry(expired.linkId, new Date(Date.now() - 60_000));

    // act
    const listed = await api('GET', '/api/links', { token: owner.idToken });

    // assess
    expect(listed.status).toBe(200);
    const byId = new Map<string, any>(listed.body.items.map((item: { linkId: string }) => [item.linkId, item]));
    expect([...byId.keys()].sort()).toEqual([active.linkId, usedUp.linkId, revoked.linkId, expired.linkId].sort());
    expect(byId.has(strangers.linkId)).toBe(false);
    expect(byId.get(active.linkId)).toMatchObject({
      label: 'active',
      maxUploads: 3,
      usesTaken: 1,
      uploadsLeft: 2,
      state: 'active',
      revoked: false,
    });
    expect(byId.get(usedUp.linkId)).toMatchObject({ usesTaken: 1, uploadsLeft: 0, state: 'used-up', revoked: false });
    expect(byId.get(revoked.linkId)).toMatchObject({ usesTaken: 0, uploadsLeft: 2, state: 'revoked', revoked: true });
    expect(byId.get(expired.linkId)).toMatchObject({ usesTaken: 0, uploadsLeft: 2, state: 'expired', revoked: false });
    for (const item of listed.body.items) {
      expect(item).not.toHaveProperty('token');
      expect(item).not.toHaveProperty('tokenHash');
    }
    const text = JSON.stringify(listed.body);
    for (const link of [active, usedUp, revoked, expired]) {
      expect(text).not.toContain(link.token);
      expect(text).not.toContain((await storedLink(link.linkId)).tokenHash);
    }
  });
});

describe('upload links: refusals', () => {
  it.each([
    [
      'a well-formed token naming no link',
      () => `${randomBytes(12).toString('base64url')}.${randomBytes(32).toString('base64url')}`,
    ],
    ['a malformed token', () => 'not-a-token'],
  ])('answers 401 to %s on every link route', async (_case, makeToken) => {
    // prepare
    const uploadToken = makeToken();

    // act
    const drop = await api('GET', '/api/drop', { uploadToken });
    const presign = await presignThroughLink(uploadToken, PDF);
    const confirm = await confirmThroughLink(uploadToken, '0000000000000000000000000000');

    // assess
    expectError(drop, 401, 'invalid_link');
    expectError(presign, 401, 'invalid_link');
    expectError(confirm, 401, 'invalid_link');
  });

  it('answers 401 to the right link id with the wrong secret', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner);
    const forged = `${link.linkId}.${randomBytes(32).toString('base64url')}`;

    // act
    const drop = await api('GET', '/api/drop', { uploadToken: forged });
    const presign = await presignThroughLink(forged, PDF);

    // assess
    expectError(drop, 401, 'invalid_link');
    expectError(presign, 401, 'invalid_link');
    expect((await storedLink(link.linkId)).usesTaken).toBe(0);
  });

  it('answers 401 when the X-Upload-Token header is missing', async () => {
    // act
    const drop = await api('GET', '/api/drop');
    const presign = await api('POST', '/api/drop/uploads', {
      body: describeUpload('scan.pdf', 'application/pdf', PDF),
    });

    // assess
    expectError(drop, 401, 'invalid_link');
    expectError(presign, 401, 'invalid_link');
  });

  it('refuses an expired link with 410 link_expired even while its item is still in the table', async () => {
    // prepare: expired a minute ago; TTL has not removed the item
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 2 });
    await setLinkExpiry(link.linkId, new Date(Date.now() - 60_000));

    // act
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });
    const presign = await presignThroughLink(link.token, PDF);

    // assess
    expectError(drop, 410, 'link_expired');
    expectError(presign, 410, 'link_expired');
    expect((await storedLink(link.linkId)).usesTaken).toBe(0);
  });

  it('refuses a revoked link with 410 link_revoked, also to confirm an upload started before the revoke', async () => {
    // prepare: an upload sent before the owner revokes
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 2 });
    const before = await presignThroughLink(link.token, PDF);
    expect(before.status).toBe(201);
    expect((await putToS3(before.body, PDF)).status).toBe(200);

    // act
    const revoke = await api('DELETE', `/api/links/${link.linkId}`, { token: owner.idToken });
    const revokeAgain = await api('DELETE', `/api/links/${link.linkId}`, { token: owner.idToken });
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });
    const presign = await presignThroughLink(link.token, PDF);
    const confirm = await confirmThroughLink(link.token, before.body.uploadId);

    // assess
    expect(revoke.status).toBe(204);
    expect(revokeAgain.status).toBe(204);
    expectError(drop, 410, 'link_revoked');
    expectError(presign, 410, 'link_revoked');
    expectError(confirm, 410, 'link_revoked');
    expect((await storedLink(link.linkId)).usesTaken).toBe(1);
  });

  it("does not let an owner revoke another owner's link", async () => {
    // prepare
    const owner = await newOwner();
    const stranger = await newOwner();
    const link = await createLink(owner);

    // act
    const revoke = await api('DELETE', `/api/links/${link.linkId}`, { token: stranger.idToken });

    // assess
    expectError(revoke, 404, 'link_not_found');
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });
    expect(drop.status).toBe(200);
  });

  it('refuses a link whose last use was taken with 410 link_used_up', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    expect((await presignThroughLink(link.token, PDF)).status).toBe(201);

    // act
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });
    const presign = await presignThroughLink(link.token, anotherPdf(1));

    // assess
    expectError(drop, 410, 'link_used_up');
    expectError(presign, 410, 'link_used_up');
    expect((await storedLink(link.linkId)).usesTaken).toBe(1);
  });
});

describe('upload links: uses', () => {
  it('gives the only use of a link to exactly one of 50 clients presigning at once', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });

    // act
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, n) => presignThroughLink(link.token, anotherPdf(n))),
    );

    // assess
    const winners = responses.filter((response) => response.status === 201);
    const losers = responses.filter((response) => response.status !== 201);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) expectError(loser, 410, 'link_used_up');
    expect((await storedLink(link.linkId)).usesTaken).toBe(1);
  });

  it('gives a client retrying the same file the same upload back, re-signed, without a second use', async () => {
    // prepare: the first attempt was signed and its PUT never happened
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 2 });
    const first = await presignThroughLink(link.token, PDF);
    expect(first.status).toBe(201);

    // act
    const retry = await presignThroughLink(link.token, PDF);

    // assess: the same upload, a URL that still works, one use held
    expect(retry.status).toBe(201);
    expect(retry.body.uploadId).toBe(first.body.uploadId);
    expect(retry.body.expiresAt).toBe(first.body.expiresAt);
    expect((await storedLink(link.linkId)).usesTaken).toBe(1);
    expect((await putToS3(retry.body, PDF)).status).toBe(200);
    expect((await waitForSettled(owner, first.body.uploadId)).status).toBe('clean');
  });

  /** A use held for `PDF` as a presign takes it, by a request that then died before recording its upload. */
  async function holdLeftBehind(linkId: string, heldSecondsAgo: number): Promise<string> {
    const fileId = `0${randomBytes(12).toString('base64url')}`;
    const now = Math.floor(Date.now() / 1000);
    await db.send(
      new UpdateCommand({
        TableName: tableName('LINKS_TABLE'),
        Key: { linkId },
        UpdateExpression: 'SET usesTaken = usesTaken + :one, holds.#file = :hold',
        ExpressionAttributeNames: { '#file': fileId },
        ExpressionAttributeValues: {
          ':one': 1,
          ':hold': {
            sha256: sha256Base64(PDF),
            size: PDF.length,
            contentType: 'application/pdf',
            heldAt: now - heldSecondsAgo,
            until: now + 600,
          },
        },
      }),
    );
    return fileId;
  }

  it('gives back a use whose presign died before recording its upload, and signs the retry anew', async () => {
    // prepare: a one-use link whose use a request took a minute ago and never recorded (a 503 at
    // its deadline aborts its calls, the give-back among them)
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    const stale = await holdLeftBehind(link.linkId, 60);

    // act
    const retry = await presignThroughLink(link.token, PDF);

    // assess: a new upload holds the one use, and the file it sends is released (not lost as an orphan)
    expect(retry.status).toBe(201);
    expect(retry.body.uploadId).not.toBe(stale);
    const stored = await storedLink(link.linkId);
    expect(Object.keys(stored.holds)).toEqual([retry.body.uploadId]);
    expect(stored.usesTaken).toBe(1);
    expect((await putToS3(retry.body, PDF)).status).toBe(200);
    expect((await waitForSettled(owner, retry.body.uploadId)).status).toBe('clean');
  });

  it('asks a retry to wait while the request that took its use may still record the upload', async () => {
    // prepare: the same, taken a second ago: that request may still be writing the record
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1 });
    const inProgress = await holdLeftBehind(link.linkId, 1);

    // act
    const retry = await presignThroughLink(link.token, PDF);

    // assess: no URL for an upload nothing records, and the use stays with the first request
    expectError(retry, 409, 'upload_being_signed');
    expect(Object.keys((await storedLink(link.linkId)).holds)).toEqual([inProgress]);
  });

  it('holds a use while the upload is in flight and spends it when the file arrives', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 2 });
    const signed = await presignThroughLink(link.token, PDF);
    const inFlight = await api('GET', '/api/links', { token: owner.idToken });

    // act
    expect((await putToS3(signed.body, PDF)).status).toBe(200);
    await waitForSettled(owner, signed.body.uploadId);

    // assess
    expect(inFlight.body.items[0]).toMatchObject({ usesTaken: 1, usesInFlight: 1, uploadsLeft: 1 });
    const settled = await api('GET', '/api/links', { token: owner.idToken });
    expect(settled.body.items[0]).toMatchObject({ usesTaken: 1, usesInFlight: 0, uploadsLeft: 1 });
    expect((await storedLink(link.linkId)).holds).toEqual({});
  });

  it('charges no use for a file the link refuses by type or size', async () => {
    // prepare
    const owner = await newOwner();
    const link = await createLink(owner, { maxUploads: 1, maxBytes: 1024, allowedTypes: ['application/pdf'] });
    const tooLarge = TEXT(`%PDF-1.4\n${'x'.repeat(2048)}`);

    // act
    const wrongType = await presignThroughLink(link.token, PNG, 'photo.png', 'image/png');
    const wrongSize = await presignThroughLink(link.token, tooLarge, 'big.pdf', 'application/pdf');
    const drop = await api('GET', '/api/drop', { uploadToken: link.token });

    // assess
    expectError(wrongType, 415, 'type_not_allowed');
    expectError(wrongSize, 413, 'file_too_large');
    expect(drop.status).toBe(200);
    expect(drop.body.uploadsLeft).toBe(1);
    expect((await storedLink(link.linkId)).usesTaken).toBe(0);
    const fitting = await presignThroughLink(link.token, PDF);
    expect(fitting.status).toBe(201);
  });

  it('signs no PUT that outlives its link', async () => {
    // prepare: a link that expires in about 3 seconds
    const owner = await newOwner();
    const link = await createLink(owner);
    const linkExpiry = new Date(Date.now() + 3_000);
    await setLinkExpiry(link.linkId, linkExpiry);

    // act
    const presign = await presignThroughLink(link.token, PDF);

    // assess: the URL's own lifetime ends with the link's
    expect(presign.status).toBe(201);
    const signed = new URL(presign.body.url);
    const lifetime = Number(signed.searchParams.get('X-Amz-Expires'));
    expect(lifetime).toBeGreaterThanOrEqual(1);
    expect(lifetime).toBeLessThanOrEqual(3);
    expect(Date.parse(presign.body.expiresAt)).toBeLessThanOrEqual(linkExpiry.getTime());

    // act: send the bytes once the link has expired
    await sleep(linkExpiry.getTime() - Date.now() + 1_500);
    const put = await putToS3(presign.body, PDF);

    // assess: the emulator, like S3, refuses an expired signature
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('Request has expired');
    expect(await objectExists(`incoming/${owner.sub}/${presign.body.uploadId}`)).toBe(false);
  });
});

describe('upload links: confirm', () => {
  it("does not let a link holder confirm another link's upload or the owner's own upload", async () => {
    // prepare: two links of one owner, an upload through each of the other link and one by the owner
    const owner = await newOwner();
    const mine = await createLink(owner, { label: 'mine' });
    const other = await createLink(owner, { label: 'other' });
    const otherUpload = await presignThroughLink(other.token, PDF);
    expect((await putToS3(otherUpload.body, PDF)).status).toBe(200);
    const ownerUpload = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('own.pdf', 'application/pdf', PDF),
    });
    expect(ownerUpload.status).toBe(201);
    expect((await putToS3(ownerUpload.body, PDF)).status).toBe(200);

    // act
    const confirmOther = await confirmThroughLink(mine.token, otherUpload.body.uploadId);
    const confirmOwners = await confirmThroughLink(mine.token, ownerUpload.body.uploadId);

    // assess
    expectError(confirmOther, 404, 'upload_not_found');
    expectError(confirmOwners, 404, 'upload_not_found');
    for (const fileId of [otherUpload.body.uploadId, ownerUpload.body.uploadId]) {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName('FILES_TABLE'),
          Key: { ownerId: owner.sub, fileId },
          ConsistentRead: true,
        }),
      );
      expect(Item?.confirmedAt).toBeUndefined();
    }
    // the right link can still confirm its own upload
    const confirmOwn = await confirmThroughLink(other.token, otherUpload.body.uploadId);
    expect(confirmOwn.status).toBe(200);
  });
});

describe('upload links: creation input', () => {
  it.each([
    ['an empty label', { label: '' }],
    ['a blank label', { label: '   ' }],
    ['a label of 101 characters', { label: 'x'.repeat(101) }],
    ['expiresInHours 0', { expiresInHours: 0 }],
    ['expiresInHours 169', { expiresInHours: 169 }],
    ['maxUploads 0', { maxUploads: 0 }],
    ['maxUploads 101', { maxUploads: 101 }],
    ['maxBytes over the per-file limit', { maxBytes: MAX_FILE_BYTES + 1 }],
    ['an unsupported type in allowedTypes', { allowedTypes: ['application/pdf', 'image/svg+xml'] }],
    ['an empty allowedTypes', { allowedTypes: [] }],
  ])('refuses %s with 400 and creates no link', async (_case, input) => {
    // prepare
    const owner = await newOwner();

    // act
    const created = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Client docs', ...input } });

    // assess
    expectError(created, 400, 'invalid_body');
    const listed = await api('GET', '/api/links', { token: owner.idToken });
    expect(listed.body.items).toEqual([]);
  });

  it('accepts the limits themselves', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const created = await api('POST', '/api/links', {
      token: owner.idToken,
      body: {
        label: 'x'.repeat(100),
        expiresInHours: 168,
        maxUploads: 100,
        maxBytes: MAX_FILE_BYTES,
        allowedTypes: ['image/gif'],
      },
    });

    // assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ maxUploads: 100, maxBytes: MAX_FILE_BYTES, allowedTypes: ['image/gif'] });
  });

  it('applies the defaults when only a label is given: 72 hours, one use, 25 MiB, the default types', async () => {
    // prepare
    const owner = await newOwner();
    const before = Date.now();

    // act
    const created = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Defaults' } });

    // assess
    const after = Date.now();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ maxUploads: 1, maxBytes: 25 * MiB, allowedTypes: DEFAULT_TYPES });
    const expiresAt = Date.parse(created.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 72 * 3_600_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 72 * 3_600_000);
    const drop = await api('GET', '/api/drop', { uploadToken: created.body.token });
    expect(drop.body).toEqual({
      label: 'Defaults',
      uploadsLeft: 1,
      maxBytes: 25 * MiB,
      allowedTypes: DEFAULT_TYPES,
      expiresAt: created.body.expiresAt,
    });
  });
});
