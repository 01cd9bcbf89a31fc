import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  api,
  db,
  describeUpload,
  ELF,
  newOwner,
  type Owner,
  PDF,
  putToS3,
  tableName,
  waitForSettled,
} from '../support/harness';

/**
 * When a file that came through a link is released or rejected, the link's owner is told:
 * locally the notice is printed and kept in the owner's trail, where the web app reads it.
 */

async function uploadThroughNewLink(owner: Owner, fileName: string, contentType: string, bytes: Uint8Array) {
  const link = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label: 'Notices', allowedTypes: ['application/pdf', 'image/png'] },
  });
  const upload = await api('POST', '/api/drop/uploads', {
    uploadToken: link.body.token,
    body: describeUpload(fileName, contentType, bytes),
  });
  expect(upload.status).toBe(201);
  expect((await putToS3(upload.body, bytes)).status).toBe(200);
  return { linkId: link.body.linkId as string, fileId: upload.body.uploadId as string };
}

/** The notice is written just after the file settles: poll for it rather than race it. */
async function waitForNotices(owner: Owner) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const notices = await noticesOf(owner);
    if (notices.length > 0 || Date.now() > deadline) return notices;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The owner's trail entries of one kind, read straight from the audit table. */
async function trailEntries(owner: Owner, action: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: tableName('AUDIT_TABLE'),
      KeyConditionExpression: 'ownerId = :owner',
      FilterExpression: '#action = :action',
      ExpressionAttributeNames: { '#action': 'action' },
      ExpressionAttributeValues: { ':owner': owner.sub, ':action': action },
      ConsistentRead: true,
    }),
  );
  return Items;
}

const noticesOf = (owner: Owner) => trailEntries(owner, 'link.arrival');
const validationEntries = async (owner: Owner) => (await trailEntries(owner, 'upload.validate')).length;

describe('link arrival notices', () => {
  it('tells the link owner once when a file sent through the link is released', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const { linkId, fileId } = await uploadThroughNewLink(owner, 'contract.pdf', 'application/pdf', PDF);
    await waitForSettled(owner, fileId);

    // assess
    const notices = await waitForNotices(owner);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ objectId: fileId, outcome: 'clean', actor: `link:${linkId}` });
  });

  it('tells the link owner when a file sent through the link is rejected', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const { fileId } = await uploadThroughNewLink(owner, 'photo.png', 'image/png', ELF);
    const file = await waitForSettled(owner, fileId);

    // assess
    expect(file.status).toBe('rejected');
    const notices = await waitForNotices(owner);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ objectId: fileId, outcome: 'rejected' });
  });

  it("sends no link notice for the owner's own uploads", async () => {
    // prepare
    const owner = await newOwner();
    const upload = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('mine.pdf', 'application/pdf', PDF),
    });
    await putToS3(upload.body, PDF);

    // act
    await waitForSettled(owner, upload.body.uploadId);

    // assess: the validator's own trail entry is there, so a notice would have been too
    await expect.poll(() => validationEntries(owner)).toBe(1);
    expect(await noticesOf(owner)).toEqual([]);
  });
});
