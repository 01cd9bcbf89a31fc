import { randomBytes } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import {
  api,
  db,
  describeUpload,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  putToS3,
  system,
  waitForSettled,
} from '../support/harness';

/**
 * Storage quotas against the real emulators: presigning reserves the declared size with one
 * conditional update, settling turns the reservation into the bytes really stored, and
 * rejection, expiry and deletion give bytes back, whatever order things happen in.
 */

const MiB = 1024 * 1024;
const LIMIT = limits.quota.defaultBytes;
/** A 1024th of the quota: the sizes below are the MiB of a 1 GiB quota, scaled to the one configured. */
const UNIT = LIMIT / 1024;
const quotasTable = system.tableNames.QUOTAS_TABLE as string;

/** A declared upload that is never sent: only its size matters to the quota. */
const declared = (size: number) => ({
  fileName: 'big.pdf',
  contentType: 'application/pdf',
  size,
  sha256: randomBytes(32).toString('base64'),
});

const usageOf = async (owner: Owner) => {
  const response = await api('GET', '/api/usage', { token: owner.idToken });
  expect(response.status).toBe(200);
  return response.body as { usedBytes: number; reservedBytes: number; limitBytes: number; availableBytes: number };
};

async function presign(owner: Owner, body: unknown) {
  return api('POST', '/api/uploads', { token: owner.idToken, body });
}

/** Presigns and PUTs; the emulator's event then runs the validator. */
async function upload(owner: Owner, fileName: string, contentType: string, bytes: Uint8Array): Promise<string> {
  const signed = await presign(owner, describeUpload(fileName, contentType, bytes));
  expect(signed.status).toBe(201);
  expect((await putToS3(signed.body, bytes)).status).toBe(200);
  return signed.body.uploadId as string;
}

/** Moves a reservation's expiry into the past, as time would. */
async function expireReservation(owner: Owner, fileId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: quotasTable,
      Key: { ownerId: owner.sub, entry: 'usage' },
      UpdateExpression: 'SET #open.#file.#until = :past',
      ExpressionAttributeNames: { '#open': 'open', '#file': fileId, '#until': 'until' },
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }),
  );
}

/** Polls until the usage settles on what is expected (the validator runs on the S3 event). */
async function usageBecomes(owner: Owner, expected: { usedBytes: number; reservedBytes: number }) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const usage = await usageOf(owner);
    if (
      (usage.usedBytes === expected.usedBytes && usage.reservedBytes === expected.reservedBytes) ||
      Date.now() > deadline
    )
      return usage;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('storage quota', () => {
  it('reports nothing used or reserved and the configured limit for a new owner', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const usage = await usageOf(owner);

    // assess
    expect(usage).toEqual({ usedBytes: 0, reservedBytes: 0, limitBytes: LIMIT, availableBytes: LIMIT });
  });

  it('refuses the usage report without a token', async () => {
    // act
    const response = await api('GET', '/api/usage');

    // assess
    expect(response.status).toBe(401);
  });

  it('lets exactly the 10 of 20 parallel presigns of a tenth of the quota that fit succeed', async () => {
    // prepare
    const owner = await newOwner();
    const size = 100 * UNIT;

    // act
    const responses = await Promise.all(Array.from({ length: 20 }, () => presign(owner, declared(size))));

    // assess
    const accepted = responses.filter((response) => response.status === 201);
    const refused = responses.filter((response) => response.status !== 201);
    expect(accepted).toHaveLength(Math.floor(LIMIT / size));
    for (const response of refused) {
      expect(response.status).toBe(413);
      expect(response.body.error.code).toBe('quota_exceeded');
      expect(response.body.error.message).toContain(`only ${LIMIT - 10 * size} of the ${LIMIT}-byte`);
    }
    expect(await usageOf(owner)).toMatchObject({ usedBytes: 0, reservedBytes: 10 * size });
  });

  it('lets through parallel presigns of mixed sizes only while they fit, and counts exactly those', async () => {
    // prepare: 20 sizes between 60 and 99 units, together about 1.5 quotas
    const owner = await newOwner();
    const sizes = Array.from({ length: 20 }, (_, i) => (60 + ((i * 17) % 40)) * UNIT + i);

    // act
    const responses = await Promise.all(sizes.map((size) => presign(owner, declared(size))));

    // assess: what was accepted fits; everything refused would not fit even now
    const acceptedBytes = sizes.filter((_, i) => responses[i]?.status === 201).reduce((sum, size) => sum + size, 0);
    const usage = await usageOf(owner);
    expect(usage.reservedBytes).toBe(acceptedBytes);
    expect(acceptedBytes).toBeLessThanOrEqual(LIMIT);
    sizes.forEach((size, i) => {
      if (responses[i]?.status !== 201) {
        expect(responses[i]?.body.error.code).toBe('quota_exceeded');
        expect(size).toBeGreaterThan(LIMIT - acceptedBytes);
      }
    });
    expect(responses.some((response) => response.status !== 201)).toBe(true);
  });

  it('refuses a file larger than what is left and says how much is left', async () => {
    // prepare
    const owner = await newOwner();
    await Promise.all(Array.from({ length: 10 }, () => presign(owner, declared(100 * UNIT))));

    // act
    const response = await presign(owner, declared(30 * UNIT));

    // assess
    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'quota_exceeded',
      message: `This upload needs ${30 * UNIT} bytes, but only ${24 * UNIT} of the ${LIMIT}-byte storage quota are left.`,
    });
    expect((await usageOf(owner)).reservedBytes).toBe(1000 * UNIT);
  });

  it('turns a released file’s reservation into used bytes', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const fileId = await upload(owner, 'contract.pdf', 'application/pdf', PDF);
    await waitForSettled(owner, fileId);

    // assess
    expect(await usageBecomes(owner, { usedBytes: PDF.length, reservedBytes: 0 })).toMatchObject({
      usedBytes: PDF.length,
      reservedBytes: 0,
    });
  });

  it('counts an image’s cleaned size, not the size declared for the upload', async () => {
    // prepare: a JPEG carrying a large EXIF block, which cleaning removes
    const owner = await newOwner();
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a6' } })
      .jpeg()
      .withExif({ IFD0: { ImageDescription: 'x'.repeat(20_000) } })
      .toBuffer();

    // act
    const fileId = await upload(owner, 'photo.jpg', 'image/jpeg', jpeg);
    const file = await waitForSettled(owner, fileId);

    // assess
    expect(file.status).toBe('clean');
    expect(file.size).toBeLessThan(jpeg.length);
    const usage = await usageBecomes(owner, { usedBytes: file.size, reservedBytes: 0 });
    expect(usage).toMatchObject({ usedBytes: file.size, reservedBytes: 0 });
  });

  it('gives a rejected upload’s bytes back', async () => {
    // prepare
    const owner = await newOwner();

    // act: a PDF declared as a PNG
    const fileId = await upload(owner, 'logo.png', 'image/png', PDF);
    const file = await waitForSettled(owner, fileId);

    // assess
    expect(file.status).toBe('rejected');
    expect(await usageBecomes(owner, { usedBytes: 0, reservedBytes: 0 })).toMatchObject({
      usedBytes: 0,
      reservedBytes: 0,
    });
  });

  it('gives a deleted file’s bytes back', async () => {
    // prepare
    const owner = await newOwner();
    const fileId = await upload(owner, 'contract.pdf', 'application/pdf', PDF);
    await waitForSettled(owner, fileId);
    await usageBecomes(owner, { usedBytes: PDF.length, reservedBytes: 0 });

    // act
    const deleted = await api('DELETE', `/api/files/${fileId}`, { token: owner.idToken });

    // assess
    expect(deleted.status).toBe(204);
    expect(await usageOf(owner)).toMatchObject({ usedBytes: 0, reservedBytes: 0 });
  });

  it('gives back the reservation of an upload deleted before it was sent', async () => {
    // prepare
    const owner = await newOwner();
    const signed = await presign(owner, declared(50 * MiB));

    // act
    const deleted = await api('DELETE', `/api/files/${signed.body.uploadId}`, { token: owner.idToken });

    // assess
    expect(deleted.status).toBe(204);
    expect(await usageOf(owner)).toMatchObject({ usedBytes: 0, reservedBytes: 0 });
  });

  it('counts nothing twice when a file is deleted twice at once', async () => {
    // prepare
    const owner = await newOwner();
    const kept = await upload(owner, 'kept.pdf', 'application/pdf', PDF);
    const doomed = await upload(owner, 'doomed.pdf', 'application/pdf', PDF);
    await Promise.all([waitForSettled(owner, kept), waitForSettled(owner, doomed)]);
    await usageBecomes(owner, { usedBytes: 2 * PDF.length, reservedBytes: 0 });

    // act
    const statuses = await Promise.all(
      [1, 2, 3].map(() => api('DELETE', `/api/files/${doomed}`, { token: owner.idToken }).then((r) => r.status)),
    );

    // assess
    expect(statuses).toContain(204);
    for (const status of statuses) expect([204, 404]).toContain(status);
    expect(await usageOf(owner)).toMatchObject({ usedBytes: PDF.length, reservedBytes: 0 });
  });

  it('gives back a reservation whose upload was never sent once it has expired', async () => {
    // prepare
    const owner = await newOwner();
    const signed = await presign(owner, declared(100 * UNIT));
    expect((await usageOf(owner)).reservedBytes).toBe(100 * UNIT);

    // act: the URL's lifetime and the grace period pass
    await expireReservation(owner, signed.body.uploadId);
    const usage = await usageOf(owner);

    // assess
    expect(usage).toMatchObject({ usedBytes: 0, reservedBytes: 0, availableBytes: LIMIT });
    const { Item } = await db.send(
      new GetCommand({ TableName: quotasTable, Key: { ownerId: owner.sub, entry: 'usage' }, ConsistentRead: true }),
    );
    expect(Item?.open).toEqual({});
  });

  it('frees expired reservations before refusing a new upload', async () => {
    // prepare: the quota full of reservations that are never sent
    const owner = await newOwner();
    const signed = await Promise.all(Array.from({ length: 10 }, () => presign(owner, declared(100 * UNIT))));
    expect((await presign(owner, declared(100 * UNIT))).status).toBe(413);

    // act
    for (const response of signed) await expireReservation(owner, response.body.uploadId);
    const response = await presign(owner, declared(100 * UNIT));

    // assess
    expect(response.status).toBe(201);
    expect((await usageOf(owner)).reservedBytes).toBe(100 * UNIT);
  });

  it('still counts a file that arrives after its reservation was given back', async () => {
    // prepare
    const owner = await newOwner();
    const signed = await presign(owner, describeUpload('late.pdf', 'application/pdf', PDF));
    await expireReservation(owner, signed.body.uploadId);
    expect((await usageOf(owner)).reservedBytes).toBe(0);

    // act: the PUT began before the URL expired and lands now
    expect((await putToS3(signed.body, PDF)).status).toBe(200);
    await waitForSettled(owner, signed.body.uploadId);

    // assess
    expect(await usageBecomes(owner, { usedBytes: PDF.length, reservedBytes: 0 })).toMatchObject({
      usedBytes: PDF.length,
      reservedBytes: 0,
    });
  });

  it('leaves the usage right when uploads are deleted while the validator handles them', async () => {
    // prepare
    const owner = await newOwner();
    const signed = await Promise.all(
      Array.from({ length: 6 }, (_, i) => presign(owner, describeUpload(`race-${i}.pdf`, 'application/pdf', PDF))),
    );

    // act: each PUT's event races a delete of the same file
    await Promise.all(
      signed.map(async (response) => {
        expect((await putToS3(response.body, PDF)).status).toBe(200);
        const deleted = await api('DELETE', `/api/files/${response.body.uploadId}`, { token: owner.idToken });
        expect(deleted.status).toBe(204);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1000));

    // assess
    expect(await usageOf(owner)).toMatchObject({ usedBytes: 0, reservedBytes: 0 });
    for (const response of signed) {
      expect(await objectExists(`files/${owner.sub}/${response.body.uploadId}`)).toBe(false);
    }
  });

  it('settles a delete racing a download: the file is gone and its bytes are back', async () => {
    // prepare
    const owner = await newOwner();
    const fileIds = await Promise.all(
      Array.from({ length: 4 }, (_, i) => upload(owner, `race-${i}.pdf`, 'application/pdf', PDF)),
    );
    await Promise.all(fileIds.map((fileId) => waitForSettled(owner, fileId)));

    // act
    const results = await Promise.all(
      fileIds.map(async (fileId) => {
        const [deleted, download] = await Promise.all([
          api('DELETE', `/api/files/${fileId}`, { token: owner.idToken }),
          api('GET', `/api/files/${fileId}/download`, { token: owner.idToken }),
        ]);
        return { fileId, deleted, download };
      }),
    );

    // assess: a download signed before the delete finds nothing to fetch afterwards
    for (const { fileId, deleted, download } of results) {
      expect(deleted.status).toBe(204);
      expect([200, 404]).toContain(download.status);
      if (download.status === 200) expect((await fetch(download.body.url)).status).toBe(404);
      expect((await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken })).status).toBe(404);
      expect(await objectExists(`files/${owner.sub}/${fileId}`)).toBe(false);
    }
    expect(await usageOf(owner)).toMatchObject({ usedBytes: 0, reservedBytes: 0 });
  });
});

describe('replaced content', () => {
  const v1 = PDF;
  const v2 = Buffer.concat([PDF, Buffer.from('\n% the second version, longer\n')]);

  /** A released PDF replaced by a second upload of the same name (`onConflict: 'replace'`). */
  async function replacedPdf(owner: Owner): Promise<string> {
    const fileId = await upload(owner, 'contract.pdf', 'application/pdf', v1);
    await waitForSettled(owner, fileId);
    const signed = await presign(owner, {
      ...describeUpload('contract.pdf', 'application/pdf', v2),
      onConflict: 'replace',
    });
    expect(signed.status).toBe(201);
    expect((await putToS3(signed.body, v2)).status).toBe(200);
    await usageBecomes(owner, { usedBytes: v1.length + v2.length, reservedBytes: 0 });
    return fileId;
  }

  /** Moves the replaced version's end of retention into the past, as time would (the date is in its key). */
  async function endRetention(owner: Owner): Promise<void> {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: quotasTable,
        KeyConditionExpression: 'ownerId = :owner AND begins_with(entry, :noncurrent)',
        ExpressionAttributeValues: { ':owner': owner.sub, ':noncurrent': 'noncurrent#' },
      }),
    );
    expect(Items).toHaveLength(1);
    const [item] = Items as [Record<string, unknown> & { entry: string; fileId: string }];
    await db.send(new DeleteCommand({ TableName: quotasTable, Key: { ownerId: owner.sub, entry: item.entry } }));
    const past = new Date(Date.now() - 1000).toISOString();
    await db.send(
      new PutCommand({ TableName: quotasTable, Item: { ...item, entry: `noncurrent#${past}#${item.fileId}` } }),
    );
  }

  it('keeps counting the replaced version beside the new one while the bucket keeps it', async () => {
    // prepare
    const owner = await newOwner();

    // act
    await replacedPdf(owner);

    // assess
    expect(await usageOf(owner)).toMatchObject({ usedBytes: v1.length + v2.length, reservedBytes: 0 });
  });

  it('stops counting the replaced version once its retention has passed', async () => {
    // prepare
    const owner = await newOwner();
    await replacedPdf(owner);

    // act
    await endRetention(owner);
    const usages = await Promise.all([usageOf(owner), usageOf(owner)]);

    // assess: two concurrent sweeps give the bytes back once
    for (const usage of usages) expect(usage).toMatchObject({ usedBytes: v2.length, reservedBytes: 0 });
    expect(await usageOf(owner)).toMatchObject({ usedBytes: v2.length, reservedBytes: 0 });
  });

  it('gives back only the current content when the replaced file is deleted', async () => {
    // prepare
    const owner = await newOwner();
    const fileId = await replacedPdf(owner);

    // act
    const deleted = await api('DELETE', `/api/files/${fileId}`, { token: owner.idToken });

    // assess
    expect(deleted.status).toBe(204);
    expect(await usageOf(owner)).toMatchObject({ usedBytes: v1.length, reservedBytes: 0 });
  });
});

describe('link uploads and the quota', () => {
  async function createLink(owner: Owner, maxUploads = 3, maxBytes?: number): Promise<string> {
    const body = { label: 'Quota', maxUploads, ...(maxBytes ? { maxBytes } : {}) };
    const link = await api('POST', '/api/links', { token: owner.idToken, body });
    expect(link.status).toBe(201);
    return link.body.token as string;
  }

  it('counts a link upload against the link’s owner', async () => {
    // prepare
    const owner = await newOwner();
    const token = await createLink(owner);

    // act
    const signed = await api('POST', '/api/drop/uploads', {
      uploadToken: token,
      body: describeUpload('scan.pdf', 'application/pdf', PDF),
    });
    const reserved = await usageOf(owner);
    expect((await putToS3(signed.body, PDF)).status).toBe(200);
    await waitForSettled(owner, signed.body.uploadId);

    // assess
    expect(signed.status).toBe(201);
    expect(reserved).toMatchObject({ usedBytes: 0, reservedBytes: PDF.length });
    expect(await usageBecomes(owner, { usedBytes: PDF.length, reservedBytes: 0 })).toMatchObject({
      usedBytes: PDF.length,
      reservedBytes: 0,
    });
  });

  it('refuses a link upload that does not fit the owner’s quota without taking a use of the link', async () => {
    // prepare: 24 units left; the link itself takes the 25 sent
    const owner = await newOwner();
    const token = await createLink(owner, 1, 25 * UNIT);
    await Promise.all(Array.from({ length: 10 }, () => presign(owner, declared(100 * UNIT))));

    // act
    const response = await api('POST', '/api/drop/uploads', { uploadToken: token, body: declared(25 * UNIT) });

    // assess
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('quota_exceeded');
    expect((await api('GET', '/api/drop', { uploadToken: token })).body.uploadsLeft).toBe(1);
    expect((await usageOf(owner)).reservedBytes).toBe(1000 * UNIT);
  });

  it('gives the reservation back when the link’s last use is taken by another client first', async () => {
    // prepare
    const owner = await newOwner();
    const token = await createLink(owner, 1);

    // act: two clients race for the one use
    const responses = await Promise.all(
      [1, 2].map(() => api('POST', '/api/drop/uploads', { uploadToken: token, body: declared(10 * MiB) })),
    );

    // assess
    expect(responses.map((response) => response.status).sort()).toEqual([201, 410]);
    expect(await usageOf(owner)).toMatchObject({ reservedBytes: 10 * MiB });
  });
});
