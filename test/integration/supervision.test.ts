import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_VALIDATOR_NAME } from '../../local/environment';
import { failedInvocationsDir, type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../local/system';
import {
  isDynamoLocalProcess,
  ownerOn,
  pdfNumbered,
  presign,
  send,
  settledStatuses,
  waitFor,
} from '../support/own-system';

// The handler modules read their endpoints and user pool once at import: every system this file
// starts uses the same ports (fixed, below the ephemeral range the other tests' port-0 systems use) and data folder, as `npm start` run twice does.
const PORTS = { gateway: 4210, s3: 4211, dynamodb: 4212, cognito: 4213 };
const dataDir = mkdtempSync('/tmp/supervision-it-');
const systems: LocalSystem[] = [];

async function start(options: Partial<LocalSystemOptions>): Promise<LocalSystem> {
  const system = await startLocalSystem({ ports: PORTS, dataDir, persistent: true, ...options });
  systems.push(system);
  return system;
}

afterAll(async () => {
  for (const system of systems) await system.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local system after DynamoDB Local dies', () => {
  it('restarts a killed DynamoDB Local on the same data, and every upload sent meanwhile ends clean', async () => {
    // prepare: retries long enough to outlast a JVM restart (Lambda's are 1 and 2 minutes)
    const system = await start({ retryDelaysMs: [4_000, 8_000] });
    const owner = await ownerOn(system);
    const uploads = await Promise.all([1, 2, 3, 4, 5].map((n) => presign(owner, pdfNumbered(n))));
    const killedPid = system.dynamodbPid() as number;

    // act: DynamoDB Local dies; S3 still takes the files
    process.kill(killedPid, 'SIGKILL');
    await waitFor(() => !isDynamoLocalProcess(killedPid), 5_000, 'the java to die');
    const puts = await Promise.all(uploads.map(send));

    // assess
    expect(puts).toEqual([200, 200, 200, 200, 200]);
    const statuses = await settledStatuses(
      owner,
      uploads.map((upload) => upload.uploadId),
      30_000,
    );
    expect(statuses).toEqual(['clean', 'clean', 'clean', 'clean', 'clean']);
    expect(system.dynamodbPid()).not.toBe(killedPid);
    expect(isDynamoLocalProcess(system.dynamodbPid() as number)).toBe(true);
    expect(system.failedInvocations()).toEqual([]);
    await system.stop();
  }, 60_000);

  it('keeps an event that failed every retry on disk, with its key, and releases it at the next start', async () => {
    // prepare: retries far shorter than a JVM restart, so every attempt fails for real
    const first = await start({ retryDelaysMs: [100, 200] });
    const owner = await ownerOn(first);
    const uploads = await Promise.all([1, 2, 3].map((n) => presign(owner, pdfNumbered(n))));
    process.kill(first.dynamodbPid() as number, 'SIGKILL');

    // act
    const puts = await Promise.all(uploads.map(send));
    // Each upload has two events with the malware gate on: S3's and the (stand-in) scan's result.
    await waitFor(() => first.failedInvocations().length === 6, 10_000, 'six events in the failure store');
    const kept = first.failedInvocations();
    await first.stop();
    const second = await start({});

    // assess: kept with the key and the error, then released by the replay at start
    expect(puts).toEqual([200, 200, 200]);
    for (const upload of uploads)
      expect(kept.filter((failure) => failure.keys.some((key) => key.endsWith(upload.uploadId)))).toHaveLength(2);
    expect(kept.every((failure) => failure.attempts === 3 && failure.error.length > 0)).toBe(true);
    expect(kept.every((failure) => failure.functionName === LOCAL_VALIDATOR_NAME)).toBe(true);
    const statuses = await settledStatuses(
      owner,
      uploads.map((upload) => upload.uploadId),
      20_000,
    );
    expect(statuses).toEqual(['clean', 'clean', 'clean']);
    await second.validatorIdle();
    expect(second.failedInvocations()).toEqual([]);
    expect(readdirSync(failedInvocationsDir(dataDir)).filter((name) => name.endsWith('.json'))).toEqual([]);
    await second.stop();
    expect(existsSync(join(dataDir, 'dynamodb.pid'))).toBe(false);
  }, 90_000);
});
