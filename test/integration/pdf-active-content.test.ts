import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { filesIn, uploadInto } from '../support/drive';
import { api, db, describeUpload, newOwner, type Owner, putToS3, tableName, waitForSettled } from '../support/harness';
import { encryptedPdf, samplePdf } from '../support/pdf-samples';

/**
 * PDFs are parsed for active content by the real validator on the local system: a link's own
 * policy wins, otherwise its owner's setting; `allow` releases the file flagged, `refuse`
 * rejects it saying what it carries.
 */

const scripted = () => samplePdf(['javascriptAnnotation'], { objectStreams: true });

async function linkWith(owner: Owner, pdfActiveContent?: 'allow' | 'refuse') {
  const link = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label: 'Statements', ...(pdfActiveContent ? { pdfActiveContent } : {}) },
  });
  expect(link.status, JSON.stringify(link.body)).toBe(201);
  return link.body as { linkId: string; token: string };
}

async function sendThrough(link: { token: string }, owner: Owner, bytes: Uint8Array) {
  const upload = await api('POST', '/api/drop/uploads', {
    uploadToken: link.token,
    body: describeUpload('statement.pdf', 'application/pdf', bytes),
  });
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
  expect((await putToS3(upload.body, bytes)).status).toBe(200);
  return waitForSettled(owner, upload.body.uploadId);
}

async function setOwnerPolicy(owner: Owner, pdfActiveContent: 'allow' | 'refuse') {
  const changed = await api('PATCH', '/api/settings', { token: owner.idToken, body: { pdfActiveContent } });
  expect(changed.status).toBe(200);
}

/**
 * The validation's outcome in the owner's trail (`rejected:<code>` names the refusal's code):
 * recorded just after the file settles, so polled for.
 */
async function validationOutcome(owner: Owner, fileId: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const outcomes = await trailOutcomes(owner, fileId);
    if (outcomes.length > 0 || Date.now() > deadline) return outcomes;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function trailOutcomes(owner: Owner, fileId: string) {
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: tableName('AUDIT_TABLE'),
      KeyConditionExpression: 'ownerId = :owner',
      FilterExpression: '#action = :action AND objectId = :file',
      ExpressionAttributeNames: { '#action': 'action' },
      ExpressionAttributeValues: { ':owner': owner.sub, ':action': 'upload.validate', ':file': fileId },
      ConsistentRead: true,
    }),
  );
  return Items.map((entry) => entry.outcome);
}

describe('PDF active content through the validator', () => {
  it('releases a PDF with JavaScript by default (allow), flagged in the folder listing', async () => {
    // prepare
    const owner = await newOwner();
    const link = await linkWith(owner);

    // act
    const file = await sendThrough(link, owner, await scripted());

    // assess
    expect(file).toMatchObject({ status: 'clean', activeContent: ['javascript'] });
    const listed = (await filesIn(owner)).find((item) => item.fileId === file.fileId);
    expect(listed.activeContent).toEqual(['javascript']);
  });

  it('releases a clean PDF unflagged', async () => {
    // prepare
    const owner = await newOwner();
    const link = await linkWith(owner, 'refuse');

    // act
    const file = await sendThrough(link, owner, await samplePdf(['openDestination'], { objectStreams: true }));

    // assess
    expect(file.status).toBe('clean');
    expect(file).not.toHaveProperty('activeContent');
  });

  it("rejects it when the link refuses, with the code and a reason naming what it carries (the owner's allow notwithstanding)", async () => {
    // prepare
    const owner = await newOwner();
    const link = await linkWith(owner, 'refuse');
    const bytes = await samplePdf(['javascriptNameTree', 'attachedFile'], { objectStreams: true });

    // act
    const file = await sendThrough(link, owner, bytes);

    // assess
    expect(file.status).toBe('rejected');
    expect(file.reason).toBe(
      'it contains attached files and scripts (JavaScript), and its upload link refuses PDFs with active content',
    );
    expect(await validationOutcome(owner, file.fileId)).toEqual(['rejected:pdf_active_content']);
  });

  it("rejects it when the owner's setting refuses and the link chose nothing", async () => {
    // prepare
    const owner = await newOwner();
    await setOwnerPolicy(owner, 'refuse');
    const link = await linkWith(owner);

    // act
    const file = await sendThrough(link, owner, await samplePdf(['launchAction'], { objectStreams: false }));

    // assess
    expect(file.status).toBe('rejected');
    expect(file.reason).toBe(
      "it contains an action that starts a program, and the owner's settings refuse PDFs with active content",
    );
  });

  it("releases it, flagged, when the link allows although the owner's setting refuses", async () => {
    // prepare
    const owner = await newOwner();
    await setOwnerPolicy(owner, 'refuse');
    const link = await linkWith(owner, 'allow');

    // act
    const file = await sendThrough(link, owner, await samplePdf(['openAction'], { objectStreams: true }));

    // assess
    expect(file).toMatchObject({ status: 'clean', activeContent: ['open_action'] });
  });

  it("applies the owner's setting to the owner's own uploads", async () => {
    // prepare
    const owner = await newOwner();
    await setOwnerPolicy(owner, 'refuse');

    // act
    const upload = await uploadInto(owner, 'scripted.pdf', { bytes: await scripted() });

    // assess
    expect(upload.status).toBe('rejected');
    expect(await validationOutcome(owner, upload.fileId)).toEqual(['rejected:pdf_active_content']);
  });

  it('rejects a PDF it cannot inspect (encrypted) under refuse, and releases it flagged not_inspected under allow', async () => {
    // prepare
    const owner = await newOwner();
    const bytes = await encryptedPdf();

    // act
    const refused = await sendThrough(await linkWith(owner, 'refuse'), owner, bytes);
    const allowed = await sendThrough(await linkWith(owner, 'allow'), owner, bytes);

    // assess
    expect(refused.status).toBe('rejected');
    expect(refused.reason).toBe(
      'it could not be checked for active content (it is encrypted), and its upload link refuses PDFs that may carry it',
    );
    expect(await validationOutcome(owner, refused.fileId)).toEqual(['rejected:pdf_not_checked']);
    expect(allowed).toMatchObject({ status: 'clean', activeContent: ['not_inspected'] });
  });

  it('drops the flag when a flagged file is replaced by a version without active content', async () => {
    // prepare
    const owner = await newOwner();
    const first = await uploadInto(owner, 'form.pdf', { bytes: await scripted() });
    expect((await filesIn(owner))[0].activeContent).toEqual(['javascript']);

    // act
    await uploadInto(owner, 'form.pdf', { onConflict: 'replace', bytes: await samplePdf([], { objectStreams: true }) });

    // assess
    const [listed, ...others] = await filesIn(owner);
    expect(others).toEqual([]);
    expect(listed).toMatchObject({ fileId: first.fileId, status: 'clean' });
    expect(listed).not.toHaveProperty('activeContent');
  });

  it("shows a link's own choice in the owner's list of links, and nothing for a link that chose none", async () => {
    // prepare
    const owner = await newOwner();
    const refusing = await linkWith(owner, 'refuse');
    const silent = await linkWith(owner);

    // act
    const list = await api('GET', '/api/links', { token: owner.idToken });

    // assess
    const byId = new Map(list.body.items.map((link: { linkId: string }) => [link.linkId, link]));
    expect(byId.get(refusing.linkId)).toMatchObject({ pdfActiveContent: 'refuse' });
    expect(byId.get(silent.linkId)).not.toHaveProperty('pdfActiveContent');
  });
});
