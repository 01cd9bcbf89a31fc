import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handlerEnvironment } from '../../local/environment';
import {
  api,
  db,
  describeUpload,
  ELF,
  newOwner,
  type Owner,
  PDF,
  putToS3,
  system,
  TEXT,
  waitForSettled,
} from '../support/harness';
import { mailTo } from '../support/mailbox';
import { deliverToValidator } from '../support/validator';

/**
 * Notices to a link's owner, end to end: the validator queues them (the local SQS stand-in),
 * send-notices e-mails them, and locally each e-mail is an `.eml` file in the data folder.
 */

const noticesTable = system.tableNames.NOTICES_TABLE as string;

async function uploadThroughLink(
  owner: Owner,
  label: string,
  fileName: string,
  contentType: string,
  bytes: Uint8Array,
) {
  const link = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label, allowedTypes: ['application/pdf', 'image/png'], maxUploads: 5 },
  });
  const upload = await api('POST', '/api/drop/uploads', {
    uploadToken: link.body.token,
    body: describeUpload(fileName, contentType, bytes),
  });
  expect(upload.status).toBe(201);
  expect((await putToS3(upload.body, bytes)).status).toBe(200);
  await waitForSettled(owner, upload.body.uploadId);
  return { token: link.body.token as string, url: upload.body.url as string, fileId: upload.body.uploadId as string };
}

/** The notice's claim, once the sender has dealt with it (sent, kept for the digest, or nothing to send). */
async function waitForNoticeHandled(fileId: string, status: string) {
  await expect
    .poll(
      async () =>
        (
          await db.send(
            new GetCommand({
              TableName: noticesTable,
              Key: { pk: `notice#${fileId}`, sk: status },
              ConsistentRead: true,
            }),
          )
        ).Item?.state,
      { timeout: 10_000, interval: 50 },
    )
    .toBe('sent');
}

const mailFor = (owner: Owner) => mailTo(system.mailDir, owner.email);

async function setNotices(owner: Owner, notices: 'each' | 'daily' | 'off') {
  expect((await api('PATCH', '/api/settings', { token: owner.idToken, body: { notices } })).status).toBe(200);
}

type Scheduled = (event: unknown, context: Context) => Promise<unknown>;
type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The notice functions in this worker, as Lambda would run them, with the local system's environment. */
async function loadHandler<T>(name: 'send-digests' | 'send-notices'): Promise<T> {
  Object.assign(process.env, handlerEnvironment(system));
  return (await import(`../../functions/${name}/index.ts`)).handler as T;
}
const context = (name: string) => ({ awsRequestId: randomUUID(), functionName: name }) as Context;

/** The digest run the schedule makes the next morning (07:00 UTC tomorrow): it covers today's arrivals. */
async function runTomorrowsDigest() {
  const digest = await loadHandler<Scheduled>('send-digests');
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setUTCHours(7, 0, 0, 0);
  return digest({ source: 'test.schedule', time: tomorrow.toISOString() }, context('send-digests'));
}

describe('e-mail notices to link owners', () => {
  it('e-mails the owner at their verified address once a file sent through their link passes: name, size, outcome, link label, portal link', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const { token, url, fileId } = await uploadThroughLink(
      owner,
      'Tax return 2026',
      'contract.pdf',
      'application/pdf',
      PDF,
    );
    await waitForNoticeHandled(fileId, 'clean');

    // assess
    const mail = mailFor(owner);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('docdrop: a file arrived through your link');
    expect(mail[0]?.text).toContain(
      `"contract.pdf" (${PDF.length} bytes), sent through your link "Tax return 2026": passed the checks.`,
    );
    expect(mail[0]?.text).toContain(`${system.apiUrl}/`);
    expect(mail[0]?.html).toContain('<strong>contract.pdf</strong>');
    // Nothing that opens the link or the file: no token, no presigned URL, no S3 key.
    for (const secret of [token, new URL(url).search, 'X-Amz-', 'incoming/', fileId]) {
      expect(mail[0]?.raw).not.toContain(secret);
    }
  });

  it('says why a file sent through the link was rejected', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const { fileId } = await uploadThroughLink(owner, 'Photos', 'photo.png', 'image/png', ELF);
    await waitForNoticeHandled(fileId, 'rejected');

    // assess
    const mail = mailFor(owner);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe('docdrop: a file sent through your link was rejected');
    expect(mail[0]?.text).toMatch(/"photo\.png" \(\d+ bytes\), sent through your link "Photos": rejected: .+/);
    expect(mail[0]?.text).toContain('not a PNG image');
  });

  it('sends nothing to an owner who turned notices off (the trail still has the arrival)', async () => {
    // prepare
    const owner = await newOwner();
    await setNotices(owner, 'off');

    // act
    const { fileId } = await uploadThroughLink(owner, 'Quiet', 'contract.pdf', 'application/pdf', PDF);
    await waitForNoticeHandled(fileId, 'clean');

    // assess
    expect(mailFor(owner)).toEqual([]);
    const trail = await api('GET', '/api/audit', { token: owner.idToken });
    expect(trail.body.items.map((entry: { action: string }) => entry.action)).toContain('link.arrival');
  });

  it('keeps a daily owner’s notices for the next morning’s digest: none now, one digest of both files, none again', async () => {
    // prepare
    const owner = await newOwner();
    await setNotices(owner, 'daily');
    const first = await uploadThroughLink(owner, 'Daily', 'first.pdf', 'application/pdf', PDF);
    const second = await uploadThroughLink(owner, 'Daily', 'second.png', 'image/png', ELF);
    await waitForNoticeHandled(first.fileId, 'clean');
    await waitForNoticeHandled(second.fileId, 'rejected');
    expect(mailFor(owner)).toEqual([]);

    // act
    await runTomorrowsDigest();
    const afterFirstRun = mailFor(owner);
    await runTomorrowsDigest();

    // assess
    expect(afterFirstRun).toHaveLength(1);
    expect(afterFirstRun[0]?.subject).toBe(`docdrop: 2 files on ${new Date().toISOString().slice(0, 10)}`);
    expect(afterFirstRun[0]?.text).toContain('"first.pdf"');
    expect(afterFirstRun[0]?.text).toContain('passed the checks');
    expect(afterFirstRun[0]?.text).toContain('"second.png"');
    expect(afterFirstRun[0]?.text).toContain('rejected');
    expect(mailFor(owner)).toHaveLength(1);
  });

  it('sends one e-mail however often the upload event and the notice are delivered', async () => {
    // prepare
    const owner = await newOwner();
    const { fileId } = await uploadThroughLink(owner, 'Twice', 'contract.pdf', 'application/pdf', PDF);
    await waitForNoticeHandled(fileId, 'clean');
    const sendNotices = await loadHandler<QueueHandler>('send-notices');
    const notice = {
      ownerId: owner.sub,
      linkId: 'any',
      fileId,
      name: 'contract.pdf',
      size: PDF.length,
      status: 'clean',
    };

    // act: S3 delivers the event again, and SQS the notice (at least once, both)
    await deliverToValidator(`incoming/${owner.sub}/${fileId}`);
    const duplicate = await sendNotices(
      {
        Records: [
          {
            messageId: randomUUID(),
            body: JSON.stringify(notice),
            attributes: { ApproximateReceiveCount: '1' },
          } as SQSEvent['Records'][number],
        ],
      },
      context('send-notices'),
    );

    // assess
    expect(duplicate.batchItemFailures).toEqual([]);
    expect(mailFor(owner)).toHaveLength(1);
  });

  it('does not e-mail an unverified address', async () => {
    // prepare: an owner whose address is not (or no longer) verified
    const owner = await newOwner();
    const { CognitoIdentityProviderClient, AdminUpdateUserAttributesCommand } = await import(
      '@aws-sdk/client-cognito-identity-provider'
    );
    const cognito = new CognitoIdentityProviderClient({
      region: system.region,
      endpoint: system.cognitoEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: system.userPoolId,
        Username: owner.email,
        // cognito-local takes email_verified only beside the address itself (Cognito takes it alone).
        UserAttributes: [
          { Name: 'email', Value: owner.email },
          { Name: 'email_verified', Value: 'false' },
        ],
      }),
    );

    // act
    const { fileId } = await uploadThroughLink(
      owner,
      'Unverified',
      'contract.pdf',
      'application/pdf',
      TEXT('%PDF-1.4\n%%EOF\n'),
    );
    await waitForNoticeHandled(fileId, (await waitForSettled(owner, fileId)).status);

    // assess
    expect(mailFor(owner)).toEqual([]);
  });
});
