import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { fileKey } from '#contracts/bucket';
import type { FileRecord } from '#domain/drive/file-records';
import { ROOT } from '#domain/drive/names';
import { releaseWithName } from '#domain/validation/release';
import { filesIn, newFolder } from '../support/drive';
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
  tableName,
  waitForSettled,
} from '../support/harness';

/**
 * Nothing of a revoked link is released after the revoke: the validator refuses it with the
 * true reason, as the confirm does, and the releasing transaction itself checks the link, so a
 * revoke that lands while the file is being checked wins too.
 */

const files = { db, tableName: tableName('FILES_TABLE') };
const quotas = { db, tableName: system.tableNames.QUOTAS_TABLE as string };
const links = { db, tableName: tableName('LINKS_TABLE') };

async function linkOf(owner: Owner) {
  const created = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Revoked', maxUploads: 2 } });
  expect(created.status).toBe(201);
  return created.body as { linkId: string; token: string };
}

const presignThrough = (token: string) =>
  api('POST', '/api/drop/uploads', { uploadToken: token, body: describeUpload('scan.pdf', 'application/pdf', PDF) });

async function storedFile(ownerId: string, fileId: string): Promise<FileRecord> {
  const { Item } = await db.send(
    new GetCommand({ TableName: files.tableName, Key: { ownerId, fileId }, ConsistentRead: true }),
  );
  return Item as FileRecord;
}

describe('an upload of a revoked link', () => {
  it('is rejected by the validator, saying the link was revoked, when it was signed before the revoke and sent after', async () => {
    // prepare
    const owner = await newOwner();
    const link = await linkOf(owner);
    const signed = await presignThrough(link.token);
    expect(signed.status).toBe(201);
    const revoked = await api('DELETE', `/api/links/${link.linkId}`, { token: owner.idToken });
    expect(revoked.status).toBe(204);

    // act
    const put = await putToS3(signed.body, PDF);
    const confirm = await api('POST', `/api/drop/uploads/${signed.body.uploadId}/confirm`, { uploadToken: link.token });
    const listed = await waitForSettled(owner, signed.body.uploadId);
    const download = await api('GET', `/api/files/${signed.body.uploadId}/download`, { token: owner.idToken });

    // assess: confirm and validator agree; nothing is stored where downloads are signed for
    expect(put.status).toBe(200);
    expect([confirm.status, confirm.body.error.code]).toEqual([410, 'link_revoked']);
    expect(listed).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/link was revoked/) });
    expect(download.status).toBe(409);
    expect(await objectExists(fileKey(owner.sub, signed.body.uploadId))).toBe(false);
  });

  it('is not released when the revoke lands after the validator looked at the link: the release itself checks it', async () => {
    // prepare: a pending upload whose checks passed, and a revoke just before its release commits
    const owner = await newOwner();
    const link = await linkOf(owner);
    const signed = await presignThrough(link.token);
    const pending = await storedFile(owner.sub, signed.body.uploadId);
    expect(pending.status).toBe('pending');
    expect((await api('DELETE', `/api/links/${link.linkId}`, { token: owner.idToken })).status).toBe(204);

    // act
    const result = await releaseWithName(files, quotas, links, pending, ROOT, undefined, new Date());

    // assess
    expect(result).toEqual({ outcome: 'link-revoked' });
    expect((await storedFile(owner.sub, signed.body.uploadId)).status).toBe('pending');
  });

  it('is released as before when its link is live, the hold on the link spent in the same transaction', async () => {
    // prepare: the same construction with no revoke, so the refusal above is the revoke's
    const owner = await newOwner();
    const link = await linkOf(owner);
    const signed = await presignThrough(link.token);
    const pending = await storedFile(owner.sub, signed.body.uploadId);

    // act
    const result = await releaseWithName(files, quotas, links, pending, ROOT, undefined, new Date());

    // assess
    expect(result).toMatchObject({ outcome: 'released', name: 'scan.pdf' });
    const { Item } = await db.send(
      new GetCommand({ TableName: links.tableName, Key: { linkId: link.linkId }, ConsistentRead: true }),
    );
    expect([Item?.usesTaken, Item?.holds]).toEqual([1, {}]);
  });
});

/** Polls the owner's folder until the upload leaves `pending` (the validator runs on the S3 event). */
async function settledIn(owner: Owner, folderId: string, fileId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = (await filesIn(owner, folderId)).find((item) => item.fileId === fileId);
    if (file && file.status !== 'pending') return file;
    if (Date.now() > deadline)
      throw new Error(`file ${fileId} still ${file?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("an edit sharee's upload when the share is revoked", () => {
  const shares = { db, tableName: system.tableNames.SHARES_TABLE as string };

  async function sharedFolder() {
    const [owner, editor] = await Promise.all([newOwner(), newOwner()]);
    const folderId = await newFolder(owner, 'Shared to edit');
    const created = await api('POST', '/api/shares', {
      token: owner.idToken,
      body: { email: editor.email, role: 'edit', folderId },
    });
    expect(created.status).toBe(201);
    return { owner, editor, folderId, shareId: created.body.shareId as string };
  }

  const presignInto = (editor: Owner, folderId: string) =>
    api('POST', '/api/uploads', {
      token: editor.idToken,
      body: { ...describeUpload('minutes.pdf', 'application/pdf', PDF), folderId },
    });

  it('is rejected by the validator, saying the share was revoked, when it was signed before the revoke and sent after', async () => {
    // prepare
    const { owner, editor, folderId, shareId } = await sharedFolder();
    const signed = await presignInto(editor, folderId);
    expect(signed.status).toBe(201);
    expect((await api('DELETE', `/api/shares/${shareId}`, { token: owner.idToken })).status).toBe(204);

    // act
    const put = await putToS3(signed.body, PDF);
    const confirm = await api('POST', `/api/uploads/${signed.body.uploadId}/confirm`, { token: editor.idToken });
    const listed = await settledIn(owner, folderId, signed.body.uploadId);

    // assess: the sharee's confirm no longer reaches it; the owner sees why it was not released
    expect(put.status).toBe(200);
    expect([confirm.status, confirm.body.error.code]).toEqual([404, 'upload_not_found']);
    expect(listed).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/share it was uploaded through was revoked/),
    });
    expect(await objectExists(fileKey(owner.sub, signed.body.uploadId))).toBe(false);
  });

  it('is not released when the revoke lands after the validator looked at the share: the release itself checks it', async () => {
    // prepare
    const { owner, editor, folderId, shareId } = await sharedFolder();
    const signed = await presignInto(editor, folderId);
    const pending = await storedFile(owner.sub, signed.body.uploadId);
    expect(pending.viaShare).toEqual({ shareId, granteeId: editor.sub });
    expect((await api('DELETE', `/api/shares/${shareId}`, { token: owner.idToken })).status).toBe(204);

    // act
    const result = await releaseWithName(files, quotas, links, pending, folderId, undefined, new Date(), shares);

    // assess
    expect(result).toEqual({ outcome: 'share-revoked' });
    expect((await storedFile(owner.sub, signed.body.uploadId)).status).toBe('pending');
  });

  it('is refused the same way when the share was changed to view only, and released while it gives edit', async () => {
    // prepare: two uploads through one share; the role changes between their releases
    const { owner, editor, folderId } = await sharedFolder();
    const first = await storedFile(owner.sub, (await presignInto(editor, folderId)).body.uploadId);
    const second = await storedFile(owner.sub, (await presignInto(editor, folderId)).body.uploadId);

    // act
    const whileEdit = await releaseWithName(files, quotas, links, first, folderId, undefined, new Date(), shares);
    const toView = await api('POST', '/api/shares', {
      token: owner.idToken,
      body: { email: editor.email, role: 'view', folderId },
    });
    const whileView = await releaseWithName(files, quotas, links, second, folderId, undefined, new Date(), shares);

    // assess
    expect(whileEdit).toMatchObject({ outcome: 'released' });
    expect(toView.status).toBe(201);
    expect(whileView).toEqual({ outcome: 'share-revoked' });
  });
});
