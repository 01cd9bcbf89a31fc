import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createUploadLink, holdLinkUse, type UseHold } from '#domain/links/upload-links';
import { reserveUpload } from '#domain/quotas/reservations';
import { db, system, tableName } from '../support/harness';

/**
 * A conditional write that committed but answered after the SDK's call timeout is sent again
 * by the SDK's retry, and then fails its own condition. Which write of the two committed
 * cannot be arranged through a paused emulator to the millisecond, so each case makes the
 * state the first attempt leaves (its write done) and sends the retry against DynamoDB Local:
 * the retry must know its own write, not report the winner a loser.
 */
const links = { db, tableName: tableName('LINKS_TABLE') };
const quotas = { db, tableName: system.tableNames.QUOTAS_TABLE as string };
const hold = (): UseHold => ({ sha256: randomUUID(), size: 10, contentType: 'text/plain', until: 4_000_000_000 });

describe('a write retried after its first attempt committed', () => {
  it('holds the last use of a link for the upload whose own earlier attempt took it', async () => {
    // prepare: a one-use link whose only use this upload's first attempt already holds
    const { link } = await createUploadLink(links, randomUUID(), {
      label: 'late answer',
      expiresInHours: 1,
      maxUploads: 1,
      maxBytes: 100,
      allowedTypes: ['text/plain'],
    });
    const fileId = randomUUID();
    const mine = hold();
    expect(await holdLinkUse(links, link.linkId, fileId, mine)).toEqual({ heldBy: 'this' });

    // act: the SDK's retry of the same update
    const retried = await holdLinkUse(links, link.linkId, fileId, mine);

    // assess: still this upload's, one use taken, and another file is refused
    expect(retried).toEqual({ heldBy: 'this' });
    const { Item } = await db.send(new GetCommand({ TableName: links.tableName, Key: { linkId: link.linkId } }));
    expect(Item?.usesTaken).toBe(1);
    await expect(holdLinkUse(links, link.linkId, randomUUID(), hold())).rejects.toMatchObject({ code: 'link_used_up' });
  });

  it('keeps the reservation an upload whose own earlier attempt made, without a refusal', async () => {
    // prepare
    const ownerId = randomUUID();
    const request = { ownerId, fileId: randomUUID(), bytes: 600, urlExpiresAt: new Date(Date.now() + 60_000) };
    await reserveUpload(quotas, request, 1000);

    // act: the retry, which would otherwise read as over the quota (600 + 600 > 1000)
    await reserveUpload(quotas, request, 1000);

    // assess: reserved once
    const { Item } = await db.send(new GetCommand({ TableName: quotas.tableName, Key: { ownerId, entry: 'usage' } }));
    expect(Item?.reservedBytes).toBe(600);
    await expect(reserveUpload(quotas, { ...request, fileId: randomUUID() }, 1000)).rejects.toMatchObject({
      code: 'quota_exceeded',
    });
  });
});
