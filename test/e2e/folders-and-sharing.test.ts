import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalPool, seedOwner } from '../../local/owners';
import { launchChromium, NO_PROFILE_PHOTO_YET } from './browser';

/** Folders, rename and sharing in the portal against `npm start`'s system, with two owners. */

const { webUrl, chromiumPath } = inject('browser');
const SCREENSHOTS = 'test-output/screenshots';
const WAIT = { timeout: 20_000 };
// Chromium logs every refused request; these are the refusals the test provokes on purpose.
/** The refusals this test provokes: a name clash, a folder that is not empty, an unknown e-mail. */
const expectedFailures = [
  NO_PROFILE_PHOTO_YET,
  /status of 409 .*\/api\/files\//,
  /status of 409 .*\/api\/folders\//,
  /status of 404 .*\/api\/shares\)$/,
];

const newOwner = () => ({
  email: `folders-${randomUUID().slice(0, 8)}@example.test`,
  password: `Web-${randomUUID()}-Aa1!`,
});
const alice = newOwner();
const bob = newOwner();
const contents = Buffer.from(`%PDF-1.4\n% ${randomUUID()}\n%%EOF\n`);

let browser: Browser;
const problems: string[] = [];

async function signedIn(credentials: { email: string; password: string }): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (message) => {
    const line = `${message.text()} (${message.location().url})`;
    if (message.type() === 'error' && !expectedFailures.some((pattern) => pattern.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(webUrl);
  await page.getByLabel('E-mail').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Files', exact: true }).waitFor(WAIT);
  return page;
}

const fileRow = (page: Page, name: string) => page.locator('table.files tr[data-status="clean"]', { hasText: name });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const pool = (await (await fetch(`${webUrl}/config.json`)).json()) as LocalPool;
  await seedOwner(pool, alice);
  await seedOwner(pool, bob);
  browser = await launchChromium(chromiumPath);
});

afterAll(async () => {
  await browser?.close();
});

describe('folders, rename and sharing in the portal', () => {
  it('keeps an upload in the folder it was made in, renames it, says a name clash, and shares the folder', async () => {
    // prepare: Alice creates a folder and opens it
    const owner = await signedIn(alice);
    await owner.getByRole('button', { name: 'New folder' }).click();
    await owner.getByRole('dialog').getByLabel('Folder name').fill('Contracts');
    await owner.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await owner.getByRole('button', { name: 'Contracts', exact: true }).click();
    const path = owner.getByRole('navigation', { name: 'Folder path' });
    await path.getByText('Contracts').waitFor(WAIT);

    // act: upload two files into it, rename one, then rename the other to the same name
    await owner.setInputFiles('#owner-upload-input', [
      { name: 'draft.pdf', mimeType: 'application/pdf', buffer: contents },
      { name: 'other.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${randomUUID()}\n`) },
    ]);
    await fileRow(owner, 'draft.pdf').waitFor(WAIT);
    await fileRow(owner, 'other.pdf').waitFor(WAIT);
    await owner.getByRole('button', { name: 'Edit draft.pdf' }).click();
    await owner.getByRole('dialog').getByLabel('Name').fill('signed.pdf');
    await owner.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await fileRow(owner, 'signed.pdf').waitFor(WAIT);
    await owner.getByRole('button', { name: 'Edit other.pdf' }).click();
    await owner.getByRole('dialog').getByLabel('Name').fill('Signed.PDF');
    await owner.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    const clash = owner.getByRole('dialog').getByRole('alert');
    await clash.waitFor(WAIT);
    const clashMessage = await clash.textContent();
    await owner.screenshot({ path: `${SCREENSHOTS}/30-rename-name-taken.png` });
    await owner.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await owner.screenshot({ path: `${SCREENSHOTS}/31-folder-files.png`, fullPage: true });
    await path.getByRole('button', { name: 'Top level' }).click();
    await owner.getByRole('button', { name: 'Contracts', exact: true }).waitFor(WAIT);
    await owner.getByText('No files here yet.').waitFor(WAIT);
    // act: a second folder is renamed and deleted; the one with files in it is not deleted
    await owner.getByRole('button', { name: 'New folder' }).click();
    await owner.getByRole('dialog').getByLabel('Folder name').fill('Old');
    await owner.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
    await owner.getByRole('button', { name: 'Rename Old' }).click();
    await owner.getByRole('dialog').getByLabel('Folder name').fill('Archive');
    await owner.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await owner.getByRole('button', { name: 'Archive', exact: true }).waitFor(WAIT);
    await owner.getByRole('button', { name: 'Delete Contracts' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    const notEmpty = owner.locator('.folder-navigator [role="alert"]');
    await notEmpty.filter({ hasText: /./ }).waitFor(WAIT);
    const notEmptyMessage = await notEmpty.textContent();
    await owner.getByRole('button', { name: 'Delete Archive' }).click();
    await owner.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await owner.getByRole('button', { name: 'Archive', exact: true }).waitFor({ state: 'detached', ...WAIT });
    const foldersLeft = await owner.locator('ul.folders > li').count();
    // act: share the folder with Bob to view
    await owner.getByRole('button', { name: 'Share Contracts' }).click();
    await owner.getByRole('dialog').getByLabel('E-mail of the person').fill(`nobody-${randomUUID()}@example.test`);
    await owner.getByRole('dialog').getByRole('button', { name: 'Share' }).click();
    const unknown = owner.getByRole('dialog').getByRole('alert');
    await unknown.waitFor(WAIT);
    const unknownMessage = await unknown.textContent();
    await owner.getByRole('dialog').getByLabel('E-mail of the person').fill(bob.email);
    await owner.getByRole('dialog').getByRole('button', { name: 'Share' }).click();
    await owner.getByRole('dialog').waitFor({ state: 'detached', ...WAIT });

    // act: Bob opens it under "Shared with me" and downloads the file
    const grantee = await signedIn(bob);
    await grantee.getByRole('button', { name: 'Shared with me' }).click();
    await grantee.getByRole('button', { name: /Contracts/ }).click();
    await grantee.getByRole('heading', { name: 'Files in Contracts' }).waitFor(WAIT);
    await grantee.screenshot({ path: `${SCREENSHOTS}/32-shared-with-me.png`, fullPage: true });
    const [download] = await Promise.all([
      grantee.waitForEvent('download', WAIT),
      grantee.getByRole('button', { name: 'Download signed.pdf' }).click(),
    ]);

    // act: the owner stops sharing the folder; Bob's next look finds nothing
    await owner.getByRole('button', { name: 'Shared with me' }).click();
    await owner.getByRole('button', { name: `Stop sharing Contracts with ${bob.email}` }).click();
    await owner.getByText('You have not shared anything.').waitFor(WAIT);
    await grantee.getByRole('button', { name: 'Refresh' }).click();
    await grantee.getByText('Nothing is shared with you yet.').waitFor(WAIT);
    await owner.screenshot({ path: `${SCREENSHOTS}/33-share-revoked.png`, fullPage: true });

    // assess
    expect(clashMessage).toMatch(/already exists/);
    expect(notEmptyMessage).toMatch(/not empty/i);
    expect(foldersLeft).toBe(1);
    expect(unknownMessage).toBe('No docdrop user signs in with that e-mail address.');
    expect(await owner.locator('table.files').textContent()).not.toContain('signed.pdf');
    expect(readFileSync((await download.path()) as string)).toEqual(contents);
    expect(problems).toEqual([]);
  });
});
