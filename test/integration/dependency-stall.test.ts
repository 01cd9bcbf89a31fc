import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dependencyCalls } from '#contracts/limits';
import { seedOwner, signIn } from '../../local/owners';
import { type LocalSystem, startLocalSystem } from '../../local/system';
import { assertDocumentedResponse } from '../support/api-description';
import { describeUpload, PDF } from '../support/harness';

/**
 * DynamoDB Local stalled for real: its java process paused with SIGSTOP (it keeps its port, so
 * connections open and nothing answers, as a hung dependency does), on a local system of this
 * test's own. Every answer must come within its bound, in the error shape, with Retry-After.
 */

/** The bound for a 503 under a stall is ~5 s; this leaves a second for a loaded machine. */
const STALL_ANSWER_MS = 6_000;

let local: LocalSystem;
let dataDir: string;
let idToken: string;
let paused = false;

interface Answer {
  readonly status: number;
  readonly body: any;
  readonly retryAfter: string | null;
  readonly ms: number;
}

async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const url = new URL(`${local.apiUrl}${path}`);
  const started = performance.now();
  const response = await fetch(url, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const body = text ? JSON.parse(text) : undefined;
  assertDocumentedResponse(method, url, response.status, body);
  return { status: response.status, body, retryAfter: response.headers.get('retry-after'), ms };
}

function pauseDynamo(): void {
  process.kill(local.dynamodbPid() as number, 'SIGSTOP');
  paused = true;
}

function resumeDynamo(): void {
  if (paused) process.kill(local.dynamodbPid() as number, 'SIGCONT');
  paused = false;
}

function expectServiceUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.body).toEqual({ error: { code: 'service_unavailable', message: expect.any(String) } });
  expect(Number(answer.retryAfter)).toBe(dependencyCalls.retryAfterSeconds);
  expect(answer.ms).toBeLessThan(STALL_ANSWER_MS);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'faults-stall-'));
  local = await startLocalSystem({ ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 }, dataDir, persistent: false });
  const owner = { email: 'stall-owner@example.test', password: 'Pw-stall-owner-A1!' };
  await seedOwner(local, owner);
  ({ idToken } = await signIn(local, owner));
}, 120_000);

afterAll(async () => {
  // A paused java would never stop: resume it whatever happened.
  resumeDynamo();
  await local?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a stalled DynamoDB', () => {
  it('answers 503 with Retry-After within the bound, says so in health, and answers 200 again once it resumes', async () => {
    // prepare: everything answers, and the owner's keys are cached (Cognito is not what stalls).
    expect((await call('GET', '/api/files', { token: idToken })).status).toBe(200);
    const healthy = await call('GET', '/api/health');
    expect(healthy.status).toBe(200);
    expect(healthy.body).toEqual({ status: 'ok', dependencies: { database: 'ok' } });

    // act
    pauseDynamo();
    const list = await call('GET', '/api/files', { token: idToken });
    const presign = await call('POST', '/api/uploads', {
      token: idToken,
      body: describeUpload('During the stall.pdf', 'application/pdf', PDF),
    });
    const health = await call('GET', '/api/health');
    resumeDynamo();

    // assess
    expectServiceUnavailable(list);
    expectServiceUnavailable(presign);
    expectServiceUnavailable(health);
    expect(health.body.error.message).toContain('database');
    // Health checks once, briefly: it must not wait like a data route.
    expect(health.ms).toBeLessThan(dependencyCalls.healthCheckTimeoutMs + 1000);
    console.info(
      `stall: list ${list.status} in ${Math.round(list.ms)} ms, presign ${presign.status} in ${Math.round(presign.ms)} ms, health ${health.status} in ${Math.round(health.ms)} ms`,
    );

    // assess: resumed, it all answers again (the first calls may still meet the queue the pause left).
    const recovered = await untilOk(() => call('GET', '/api/files', { token: idToken }));
    expect(recovered.status).toBe(200);
    expect((await untilOk(() => call('GET', '/api/health'))).body).toEqual({
      status: 'ok',
      dependencies: { database: 'ok' },
    });
    const signed = await call('POST', '/api/uploads', {
      token: idToken,
      body: describeUpload('After the stall.pdf', 'application/pdf', PDF),
    });
    expect(signed.status).toBe(201);
  }, 60_000);
});

async function untilOk(request: () => Promise<Answer>, timeoutMs = 15_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await request();
    if (answer.status < 500 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
