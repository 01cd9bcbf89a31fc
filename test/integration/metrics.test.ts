import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docdropMetrics, metricsNamespace, metricsService } from '#contracts/metrics';
import { seedOwner, signIn } from '../../local/owners';
import { type LocalSystem, startLocalSystem } from '../../local/system';
import { describeUpload, ELF, PDF, putToS3 } from '../support/harness';
import { captureLines } from '../support/in-process';

/**
 * What the functions print as metrics (CloudWatch embedded metric format), on a local system
 * of this test's own, so that every line its gateway and validator print lands in this process:
 * the same handlers, invoked as `npm start` invokes them, concurrently, each in its invocation.
 */

const MiB = 1024 * 1024;
const QUOTA_BYTES = 1 * MiB;
const DIMENSIONS = new Set(['service', 'reason', 'code']);

let local: LocalSystem;
let dataDir: string;
let owner: { sub: string; idToken: string; accessToken: string };

interface Emf {
  readonly _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  readonly function_request_id: string;
  readonly [key: string]: unknown;
}

const parsed = (lines: string[]): Record<string, any>[] =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
const emfLines = (lines: string[]): Emf[] => parsed(lines).filter((entry): entry is Emf => '_aws' in entry);
const metricNamesOf = (emf: Emf): string[] =>
  emf._aws.CloudWatchMetrics.flatMap((set) => set.Metrics.map((m) => m.Name));
const dimensionsOf = (emf: Emf): string[] => [
  ...new Set(emf._aws.CloudWatchMetrics.flatMap((set) => set.Dimensions.flat())),
];

async function call(
  method: string,
  path: string,
  options: { token?: string; uploadToken?: string; body?: unknown; rawBody?: string } = {},
): Promise<{ status: number; body: any }> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${local.apiUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.uploadToken ? { 'x-upload-token': options.uploadToken } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Every EMF line is in the namespace, carries the request id, and names metrics of contracts/metrics.ts only by bounded dimensions. */
function expectWellFormed(emf: Emf): void {
  expect(emf._aws.CloudWatchMetrics.map((set) => set.Namespace)).toEqual([metricsNamespace]);
  expect(emf.function_request_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(emf.service).toBe(metricsService);
  const known = Object.values(docdropMetrics).map((metric) => metric.name);
  for (const name of metricNamesOf(emf)) expect(known).toContain(name);
  for (const dimension of dimensionsOf(emf)) {
    expect(DIMENSIONS).toContain(dimension);
    expect(emf[dimension]).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
  }
}

/** Nothing secret or personal anywhere in a metric line: no token, URL, signature or id. */
function expectNothingToHide(emf: Emf, secrets: readonly string[]): void {
  const line = JSON.stringify(emf);
  for (const secret of secrets) expect(line).not.toContain(secret);
  expect(line).not.toMatch(/X-Amz-Signature|X-Amz-Credential|https?:\/\//i);
  expect(Object.keys(emf)).not.toEqual(expect.arrayContaining(['userId']));
  expect(Object.keys(emf)).not.toEqual(expect.arrayContaining(['linkId']));
  expect(Object.keys(emf)).not.toEqual(expect.arrayContaining(['fileId']));
}

beforeAll(async () => {
  // Metrics and the "request done" lines that say which invocation did what, printed as in `npm start`.
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  dataDir = mkdtempSync(join(tmpdir(), 'docdrop-metrics-'));
  local = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
    environment: { DEFAULT_QUOTA_BYTES: String(QUOTA_BYTES) },
  });
  const credentials = { email: 'metrics-owner@example.test', password: 'Pw-metrics-owner-A1!' };
  await seedOwner(local, credentials);
  const tokens = await signIn(local, credentials);
  const sub = JSON.parse(Buffer.from(tokens.idToken.split('.')[1] as string, 'base64url').toString()).sub;
  owner = { sub, ...tokens };
}, 120_000);

afterAll(async () => {
  await local?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('metrics', () => {
  it('prints a signed owner upload as an EMF line in the namespace, with no token, URL or id', async () => {
    // prepare
    const upload = describeUpload('Contract.pdf', 'application/pdf', PDF);

    // act
    const { value: signed, lines } = await captureLines(() =>
      call('POST', '/api/uploads', { token: owner.accessToken, body: upload }),
    );

    // assess
    expect(signed.status).toBe(201);
    const metrics = emfLines(lines);
    expect(metrics).toHaveLength(1);
    const [emf] = metrics as [Emf];
    expectWellFormed(emf);
    expect(metricNamesOf(emf)).toEqual([docdropMetrics.uploadsSigned.name]);
    expect(emf._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service']]);
    expect(emf[docdropMetrics.uploadsSigned.name]).toBe(1);
    expectNothingToHide(emf, [owner.accessToken, owner.sub, signed.body.fileId, signed.body.url, signed.body.key]);
  });

  it('counts an upload signed through a link as a signed upload and a link use', async () => {
    // prepare
    const link = await call('POST', '/api/links', { token: owner.idToken, body: { label: 'Metrics', maxUploads: 3 } });
    expect(link.status).toBe(201);

    // act
    const { value: signed, lines } = await captureLines(() =>
      call('POST', '/api/drop/uploads', {
        uploadToken: link.body.token,
        body: describeUpload('Scan.pdf', 'application/pdf', PDF),
      }),
    );

    // assess
    expect(signed.status).toBe(201);
    const [emf, ...others] = emfLines(lines);
    expect(others).toEqual([]);
    expectWellFormed(emf as Emf);
    expect(metricNamesOf(emf as Emf).sort()).toEqual(
      [docdropMetrics.linkUses.name, docdropMetrics.uploadsSigned.name].sort(),
    );
    expectNothingToHide(emf as Emf, [
      link.body.token,
      link.body.token.split('.')[1],
      link.body.linkId,
      link.body.url,
      owner.sub,
      signed.body.fileId,
      signed.body.url,
    ]);
  });

  it('counts a refusal over the quota by its code and as a quota refusal', async () => {
    // prepare: more than the 1 MiB quota this system gives each owner
    const upload = { ...describeUpload('Big.pdf', 'application/pdf', PDF), size: 2 * MiB };

    // act
    const { value: refused, lines } = await captureLines(() =>
      call('POST', '/api/uploads', { token: owner.idToken, body: upload }),
    );

    // assess
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe('quota_exceeded');
    const metrics = emfLines(lines);
    for (const emf of metrics) {
      expectWellFormed(emf);
      expectNothingToHide(emf, [owner.idToken, owner.sub]);
    }
    const byCode = metrics.find((emf) => metricNamesOf(emf).includes(docdropMetrics.requestsRefused.name));
    expect(byCode).toMatchObject({ code: 'quota_exceeded', [docdropMetrics.requestsRefused.name]: 1 });
    expect(byCode?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'code']]);
    const quota = metrics.find((emf) => metricNamesOf(emf).includes(docdropMetrics.quotaRefusals.name));
    expect(quota).toMatchObject({ [docdropMetrics.quotaRefusals.name]: 1 });
    expect(quota?.code).toBeUndefined();
  });

  it('prints a validation as a release and its duration, and a rejection by its reason', async () => {
    // prepare: one real PDF and one program declared as a PDF
    const good = await call('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('Good.pdf', 'application/pdf', PDF),
    });
    const bad = await call('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('Bad.pdf', 'application/pdf', ELF),
    });
    expect([good.status, bad.status]).toEqual([201, 201]);

    // act: the S3 events reach the validator of this process
    const { lines } = await captureLines(async () => {
      expect((await putToS3(good.body, PDF)).status).toBe(200);
      expect((await putToS3(bad.body, ELF)).status).toBe(200);
      await local.validatorIdle();
    });

    // assess
    const metrics = emfLines(lines);
    for (const emf of metrics) {
      expectWellFormed(emf);
      expectNothingToHide(emf, [owner.sub, good.body.fileId, bad.body.fileId, good.body.key, bad.body.key]);
    }
    const released = metrics.filter((emf) => metricNamesOf(emf).includes(docdropMetrics.uploadsReleased.name));
    expect(released).toHaveLength(1);
    expect(metricNamesOf(released[0] as Emf)).toContain(docdropMetrics.validationDuration.name);
    expect(released[0]?._aws.CloudWatchMetrics[0]?.Metrics).toContainEqual({
      Name: docdropMetrics.validationDuration.name,
      Unit: 'Milliseconds',
    });
    const rejected = metrics.filter((emf) => metricNamesOf(emf).includes(docdropMetrics.uploadsRejected.name));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'reason']]);
    expect(rejected[0]?.reason).toMatch(/^[a-z_]+$/);
  });

  it('never publishes one invocation’s counts with another’s, however the invocations overlap', async () => {
    // prepare: a link with uses to spare, and a mix of requests that each count something else
    const link = await call('POST', '/api/links', { token: owner.idToken, body: { label: 'Overlap', maxUploads: 50 } });
    const requests = Array.from({ length: 30 }, (_, i) => {
      switch (i % 3) {
        case 0:
          return () =>
            call('POST', '/api/uploads', {
              token: owner.idToken,
              body: describeUpload(`o${i}.pdf`, 'application/pdf', PDF),
            });
        case 1:
          return () =>
            call('POST', '/api/drop/uploads', {
              uploadToken: link.body.token,
              // A file of its own: the same bytes again would be a retry, which gets its upload back and counts no use.
              body: describeUpload(`l${i}.pdf`, 'application/pdf', Buffer.concat([PDF, Buffer.from(`\n% ${i}\n`)])),
            });
        default:
          return () => call('POST', '/api/uploads', { token: owner.idToken, rawBody: '{not json' });
      }
    });

    // act: all at once, so their invocations interleave in this one process
    const { value: responses, lines } = await captureLines(() => Promise.all(requests.map((send) => send())));

    // assess: each invocation's log line says what it did; its metric lines hold exactly that, once
    expect(responses.map((response) => response.status).sort()).toEqual(
      [...Array(20).fill(201), ...Array(10).fill(400)].sort(),
    );
    const entries = parsed(lines);
    const outcomes = new Map<string, Record<string, any>>();
    for (const entry of entries) {
      if (entry.message === 'request done' || entry.message === 'request refused')
        outcomes.set(entry.function_request_id, entry);
    }
    expect(outcomes.size).toBe(30);
    const counted = new Map<string, Record<string, unknown>>();
    for (const emf of emfLines(lines)) {
      expectWellFormed(emf);
      const mine = counted.get(emf.function_request_id) ?? {};
      for (const name of metricNamesOf(emf)) {
        expect(mine[name], `${name} published twice for one invocation`).toBeUndefined();
        mine[name] = emf[name];
      }
      if (emf.code) mine.code = emf.code;
      counted.set(emf.function_request_id, mine);
    }
    for (const [requestId, outcome] of outcomes) {
      const expected =
        outcome.message === 'request refused'
          ? { [docdropMetrics.requestsRefused.name]: 1, code: 'invalid_json' }
          : outcome.linkId
            ? { [docdropMetrics.uploadsSigned.name]: 1, [docdropMetrics.linkUses.name]: 1 }
            : { [docdropMetrics.uploadsSigned.name]: 1 };
      expect(counted.get(requestId), `metrics of invocation ${requestId}`).toEqual(expected);
    }
    expect([...counted.keys()].every((requestId) => outcomes.has(requestId))).toBe(true);
  });
});
