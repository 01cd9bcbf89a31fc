import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfiguredSystem, startConfiguredSystem } from '../support/configured-system';
import { describeUpload, PDF, putToS3 } from '../support/harness';
import { mailTo } from '../support/mailbox';

/**
 * A send that fails once, made for real: the mail folder's path is taken by a plain file, so
 * writing the message fails as a disk or SES outage would. The notice is received again after
 * the (shortened) visibility timeout and sent once the folder can be written.
 */
let system: ConfiguredSystem;
const OWNER_EMAIL = 'mail-redelivery-owner@example.test';

beforeAll(async () => {
  system = await startConfiguredSystem('mail-redelivery', { noticeRedeliveryMs: 300 });
});
afterAll(() => system?.stop());

describe('a notice whose send fails', () => {
  it('is sent once after the failure clears, and never twice', async () => {
    // prepare: the mail folder cannot be created
    const folder = system.local.mailDir;
    rmSync(folder, { recursive: true, force: true });
    writeFileSync(folder, 'not a folder');
    const link = await system.call('POST', '/api/links', {
      token: system.owner.idToken,
      body: { label: 'Retry', allowedTypes: ['application/pdf'] },
    });
    const upload = await system.call('POST', '/api/drop/uploads', {
      uploadToken: link.body.token,
      body: describeUpload('contract.pdf', 'application/pdf', PDF),
    });

    // act: the upload arrives, its notice fails at least once, then the folder is writable again
    expect((await putToS3(upload.body, PDF)).status).toBe(200);
    await expect.poll(() => system.local.noticeFailures().receives, { timeout: 15_000 }).toBeGreaterThan(0);
    rmSync(folder);
    await expect.poll(() => mailTo(folder, OWNER_EMAIL).length, { timeout: 15_000 }).toBe(1);
    await system.local.noticesIdle();

    // assess
    expect(mailTo(folder, OWNER_EMAIL)).toHaveLength(1);
    expect(mailTo(folder, OWNER_EMAIL)[0]?.text).toContain('"contract.pdf"');
    expect(system.local.noticeFailures().deadLetters).toEqual([]);
  });
});
