import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SystemAddresses } from '../../local/environment';
import {
  isDynamoLocalProcess,
  ownerOn,
  pdfNumbered,
  presign,
  send,
  settledStatuses,
  waitFor,
} from '../support/own-system';

// `npm start` itself, as a person runs it, on fixed ports of its own (below the ephemeral range the port-0 systems use) and a data folder of its own.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PORTS = { PORT: 4220, S3_PORT: 4221, DYNAMODB_PORT: 4222, COGNITO_PORT: 4223 };
const dataDir = mkdtempSync('/tmp/supervision-npm-');
const children: ChildProcess[] = [];

interface Started {
  readonly npm: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  readonly addresses: SystemAddresses;
}

async function npmStart(): Promise<Started> {
  const npm = spawn('npm', ['start', '--', '--data-dir', dataDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(PORTS).map(([name, port]) => [name, String(port)])),
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(npm);
  let output = '';
  npm.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  npm.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => npm.once('exit', (code) => done(code)));
  await waitFor(() => output.includes('docdrop is running.') || npm.exitCode !== null, 90_000, 'npm start');
  if (!output.includes('docdrop is running.')) throw new Error(`npm start failed:\n${output}`);
  const [, userPoolId, userPoolClientId] = /pool (\S+), client (\S+)/.exec(output) as RegExpExecArray;
  const addresses = {
    region: 'us-east-1',
    apiUrl: `http://localhost:${PORTS.PORT}`,
    cognitoEndpoint: `http://127.0.0.1:${PORTS.COGNITO_PORT}`,
    userPoolId,
    userPoolClientId,
  } as SystemAddresses;
  return { npm, output: () => output, exited, addresses };
}

const javaPid = (): number => Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
const parentOf = (pid: number): number =>
  Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, () => probe.close(() => done(true)));
  });
}

const allPortsFree = async () => (await Promise.all(Object.values(PORTS).map(portIsFree))).every(Boolean);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start under signals', () => {
  it('stops everything on SIGTERM to npm, and releases after the next start every PUT that S3 took meanwhile', async () => {
    // prepare
    const first = await npmStart();
    const java = javaPid();
    const owner = await ownerOn(first.addresses);
    const uploads = await Promise.all(Array.from({ length: 12 }, (_, n) => presign(owner, pdfNumbered(n))));

    // act: PUTs stream, two at a time; SIGTERM to npm's own pid after the first few
    const accepted: string[] = [];
    let sent = 0;
    const stream = async () => {
      for (;;) {
        const upload = uploads[sent++];
        if (!upload) return;
        if (sent === 5) first.npm.kill('SIGTERM');
        const status = await send(upload).catch(() => 0);
        if (status === 200) accepted.push(upload.uploadId);
      }
    };
    await Promise.all([stream(), stream()]);
    const code = await first.exited;

    // assess: all stopped
    expect(code).toBe(0);
    expect(await allPortsFree()).toBe(true);
    expect(isDynamoLocalProcess(java)).toBe(false);
    expect(accepted.length).toBeGreaterThanOrEqual(4);

    // act: the next start
    const second = await npmStart();

    // assess: every PUT S3 accepted is validated
    const statuses = await settledStatuses({ ...owner, apiUrl: second.addresses.apiUrl }, accepted, 20_000);
    expect(statuses).toEqual(accepted.map(() => 'clean'));

    // act: the Node process dies without a chance to stop its java (SIGKILL)
    const orphan = javaPid();
    process.kill(parentOf(orphan), 'SIGKILL');
    await second.exited;
    expect(isDynamoLocalProcess(orphan)).toBe(true);
    const third = await npmStart();

    // assess: the stale java was stopped, and said so; SIGTERM then stops this one too
    expect(isDynamoLocalProcess(orphan)).toBe(false);
    expect(third.output()).toContain('stopping a DynamoDB Local left running by an earlier run');
    const thirdJava = javaPid();
    third.npm.kill('SIGTERM');
    expect(await third.exited).toBe(0);
    expect(await allPortsFree()).toBe(true);
    expect(isDynamoLocalProcess(thirdJava)).toBe(false);
  }, 180_000);
});
