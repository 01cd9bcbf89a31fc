import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB, plannedPartSize, planParts } from '#contracts/limits';
import { api, db, newOwner, type Owner, system, tableName, waitForSettled } from '../support/harness';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const SEND = join(ROOT, 'scripts/send.ts');

let owner: Owner;
let scratch: string;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run send` as its own process (without npm, so a signal reaches the uploader itself). */
function startSend(
  args: readonly string[],
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<Run>; stdout: () => string } {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, SEND, ...args], {
    cwd: ROOT,
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Run>((settle) => child.once('close', (code) => settle({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout };
}

const send = (args: readonly string[], env: Record<string, string> = {}): Promise<Run> => startSend(args, env).done;

async function newLink(body: Record<string, unknown> = {}): Promise<{ linkId: string; url: string; token: string }> {
  const link = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label: `CLI ${randomUUID()}`, ...body },
  });
  expect(link.status).toBe(201);
  return link.body;
}

/** A PDF by its first bytes (what the validator reads), `size` bytes in all, different each time. */
function pdfFile(name: string, size: number): { path: string; bytes: Buffer } {
  const head = Buffer.from('%PDF-1.4\n%');
  const tail = Buffer.from('\n%%EOF\n');
  const bytes = Buffer.concat([head, randomBytes(size - head.length - tail.length), tail]);
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function ownerDownload(fileId: string): Promise<Buffer> {
  const download = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
  expect(download.status).toBe(200);
  return Buffer.from(await (await fetch(download.body.url)).arrayBuffer());
}

/** The part numbers `--verbose` says were sent. */
const partsSent = (stdout: string): number[] =>
  [...stdout.matchAll(/^part (\d+) of \d+ sent/gm)].map((match) => Number(match[1])).sort((a, b) => a - b);

const receiptField = (stdout: string, label: string): string | undefined =>
  new RegExp(`^  ${label} +(\\S+)$`, 'm').exec(stdout)?.[1];

beforeAll(async () => {
  owner = await newOwner();
  scratch = mkdtempSync(join(tmpdir(), 'docdrop-send-'));
});

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('npm run send, through an upload link', () => {
  it('sends a small file in one PUT and prints the receipt; the owner downloads the same bytes', async () => {
    // prepare
    const link = await newLink();
    const file = pdfFile('statement.pdf', 64 * 1024);

    // act
    const run = await send([file.path, '--link', link.url]);

    // assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^docdrop receipt$/m);
    expect(receiptField(run.stdout, 'file')).toBe('statement.pdf');
    expect(receiptField(run.stdout, 'status')).toBe('clean');
    expect(receiptField(run.stdout, 'sha256')).toBe(createHash('sha256').update(file.bytes).digest('base64'));
    const uploadId = receiptField(run.stdout, 'upload') as string;
    expect((await waitForSettled(owner, uploadId)).status).toBe('clean');
    expect(sha256Hex(await ownerDownload(uploadId))).toBe(sha256Hex(file.bytes));
    // The token is the secret in the link: the uploader never prints it.
    expect(run.stdout).not.toContain(link.token);
  });

  it('says a link has no uploads left, in the API’s words, and exits 1', async () => {
    // prepare: a one-use link, used
    const link = await newLink({ maxUploads: 1 });
    expect((await send([pdfFile('first.pdf', 1024).path, '--link', link.url])).code).toBe(0);

    // act
    const run = await send([pdfFile('second.pdf', 1024).path, '--link', link.url]);

    // assess
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'docdrop refused: This upload link has no uploads left. Ask its owner for a new one.',
    );
  });

  it('says a link has expired, and exits 1', async () => {
    // prepare: the link's expiry moved into the past, as time passing would
    const link = await newLink();
    const past = new Date(Date.now() - 60_000);
    await db.send(
      new UpdateCommand({
        TableName: tableName('LINKS_TABLE'),
        Key: { linkId: link.linkId },
        UpdateExpression: 'SET expiresAt = :iso, expiresAtEpoch = :epoch',
        ExpressionAttributeValues: { ':iso': past.toISOString(), ':epoch': Math.floor(past.getTime() / 1000) },
      }),
    );

    // act
    const run = await send([pdfFile('late.pdf', 1024).path, '--link', link.url]);

    // assess
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe('docdrop refused: This upload link has expired. Ask its owner for a new one.');
  });

  it('says a file is larger than the link allows, and exits 1', async () => {
    // prepare
    const link = await newLink({ maxBytes: MiB });

    // act
    const run = await send([pdfFile('big.pdf', 2 * MiB).path, '--link', link.url]);

    // assess: the API's own reason, which names the limit
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^docdrop refused: .+/);
    const presign = await api('POST', '/api/drop/uploads', {
      uploadToken: link.token,
      body: { fileName: 'big.pdf', contentType: 'application/pdf', size: 2 * MiB, sha256: 'A'.repeat(43).concat('=') },
    });
    expect(presign.status).toBe(413);
    expect(run.stderr.trim()).toBe(`docdrop refused: ${presign.body.error.message}`);
  });

  it('refuses a link without its token, before calling anyone', async () => {
    // act
    const run = await send([pdfFile('any.pdf', 1024).path, '--link', 'http://localhost:1/u/']);

    // assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The link has no token after its #');
  });
});

describe('npm run send, as the owner', () => {
  it('sends into the owner’s drive with the ID token from DOCDROP_ID_TOKEN, printing no token', async () => {
    // prepare
    const file = pdfFile('own.pdf', 40 * MiB);

    // act
    const run = await send([file.path, '--api', system.apiUrl, '--verbose'], { DOCDROP_ID_TOKEN: owner.idToken });

    // assess: in parts (40 MiB is above the threshold), released, the same bytes
    expect(run.code).toBe(0);
    expect(partsSent(run.stdout)).toEqual([1, 2, 3, 4, 5]);
    expect(receiptField(run.stdout, 'status')).toBe('clean');
    const uploadId = receiptField(run.stdout, 'upload') as string;
    expect(sha256Hex(await ownerDownload(uploadId))).toBe(sha256Hex(file.bytes));
    expect(`${run.stdout}${run.stderr}`).not.toContain(owner.idToken);
  }, 60_000);

  it('takes the link from DOCDROP_LINK, so its token is on no command line, and prints no token', async () => {
    // prepare
    const link = await newLink({});
    const file = pdfFile('from-env.pdf', 2048);

    // act
    const run = await send([file.path], { DOCDROP_LINK: link.url });

    // assess
    expect(run.code).toBe(0);
    expect(receiptField(run.stdout, 'status')).toBe('clean');
    expect(`${run.stdout}${run.stderr}`).not.toContain(link.token);
  });

  it('refuses to run as the owner without DOCDROP_ID_TOKEN, before calling anyone', async () => {
    // act
    const run = await send([pdfFile('nobody.pdf', 1024).path, '--api', system.apiUrl], { DOCDROP_ID_TOKEN: '' });

    // assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DOCDROP_ID_TOKEN=<owner ID token> npm run send');
  });
});

describe('npm run send, in parts', () => {
  it('resumes after being killed mid-upload, sending only the parts storage does not hold; the owner downloads the same bytes', async () => {
    // prepare: 80 MiB in 10 planned parts, one in flight at a time; killed once 3 are sent
    const link = await newLink({ maxBytes: 100 * MiB });
    const file = pdfFile('archive.pdf', 80 * MiB);
    const plan = planParts(file.bytes.length);
    const statePath = `${file.path}.docdrop-send.json`;
    const first = startSend([file.path, '--link', link.url, '--verbose', '--parallel', '1']);
    await new Promise<void>((killed) => {
      first.child.stdout?.on('data', () => {
        if (partsSent(first.stdout()).length >= 3 && first.child.kill('SIGKILL')) killed();
      });
    });
    await first.done;
    const { uploadId } = JSON.parse(readFileSync(statePath, 'utf8'));
    const listed = await api('GET', `/api/drop/uploads/${uploadId}/parts`, { uploadToken: link.token });
    const held = (listed.body.parts as { partNumber: number; size: number }[]).map((part) => part.partNumber);
    const missing = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !held.includes(n));

    // act
    const rerun = await send([file.path, '--link', link.url, '--verbose']);

    // assess: the rerun sent exactly what storage lacked, finished, and cleaned up after itself
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect(missing.length).toBeGreaterThan(0);
    for (const part of listed.body.parts)
      expect(part.size).toBe(plannedPartSize(plan, file.bytes.length, part.partNumber));
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain(`Resuming: storage holds ${held.length} of ${plan.partCount} parts.`);
    expect(partsSent(rerun.stdout)).toEqual(missing);
    expect(existsSync(statePath)).toBe(false);
    expect(receiptField(rerun.stdout, 'upload')).toBe(uploadId);
    expect(receiptField(rerun.stdout, 'status')).toBe('clean');
    const released = await waitForSettled(owner, uploadId, 30_000);
    expect(released.status).toBe('clean');
    // The receipt prints S3's composite checksum of the 10 parts, as the file's record holds it.
    expect(receiptField(rerun.stdout, 'parts sha256')).toMatch(new RegExp(`^[A-Za-z0-9+/]{43}=-${plan.partCount}$`));
    expect(receiptField(rerun.stdout, 'parts sha256')).toBe(released.partsSha256);
    expect(sha256Hex(await ownerDownload(uploadId))).toBe(sha256Hex(file.bytes));
  }, 120_000);

  it('starts a new upload when the file changed since the interrupted run, giving the old one’s link use back', async () => {
    // prepare: a one-use link; a run killed after its first part, then the file rewritten with other bytes
    const link = await newLink({ maxBytes: 100 * MiB, maxUploads: 1 });
    const original = pdfFile('draft.pdf', 40 * MiB);
    const first = startSend([original.path, '--link', link.url, '--verbose', '--parallel', '1']);
    await new Promise<void>((killed) => {
      first.child.stdout?.on('data', () => {
        if (partsSent(first.stdout()).length >= 1 && first.child.kill('SIGKILL')) killed();
      });
    });
    await first.done;
    const { uploadId: abandoned } = JSON.parse(readFileSync(`${original.path}.docdrop-send.json`, 'utf8'));
    const changed = pdfFile('draft.pdf', 40 * MiB);

    // act
    const rerun = await send([changed.path, '--link', link.url, '--verbose']);

    // assess: the old upload aborted (its use is what the new one holds), every part sent anew, the new bytes delivered
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toContain('The file or the link changed since the last run: starting a new upload.');
    expect(partsSent(rerun.stdout)).toEqual([1, 2, 3, 4, 5]);
    const uploadId = receiptField(rerun.stdout, 'upload') as string;
    expect(uploadId).not.toBe(abandoned);
    expect(receiptField(rerun.stdout, 'status')).toBe('clean');
    expect(sha256Hex(await ownerDownload(uploadId))).toBe(sha256Hex(changed.bytes));
  }, 120_000);

  it('prints the receipt of an upload the last run completed when its state was left behind, sending nothing', async () => {
    // prepare: a run that completes, its state file copied while it ran and put back after, as
    // when the complete answer was lost; a one-use link, so a second upload would be refused
    const link = await newLink({ maxBytes: 100 * MiB, maxUploads: 1 });
    const file = pdfFile('done.pdf', 40 * MiB);
    const statePath = `${file.path}.docdrop-send.json`;
    const first = startSend([file.path, '--link', link.url, '--verbose', '--parallel', '1']);
    let state = '';
    first.child.stdout?.on('data', () => {
      if (!state && existsSync(statePath)) state = readFileSync(statePath, 'utf8');
    });
    const firstRun = await first.done;
    expect(firstRun.code).toBe(0);
    writeFileSync(statePath, state);

    // act
    const rerun = await send([file.path, '--link', link.url, '--verbose']);

    // assess: the same upload's receipt, found through confirm (the upload no longer lists parts), nothing sent
    expect(rerun.stderr).toBe('');
    expect(rerun.code).toBe(0);
    expect(partsSent(rerun.stdout)).toEqual([]);
    expect(receiptField(rerun.stdout, 'upload')).toBe(receiptField(firstRun.stdout, 'upload'));
    expect(receiptField(rerun.stdout, 'status')).toBe('clean');
    expect(existsSync(statePath)).toBe(false);
  }, 60_000);
});
