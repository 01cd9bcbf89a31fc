import { InvokeStore } from '@aws/lambda-invoke-store';
import { beforeAll, describe, expect, it } from 'vitest';
import { docdropMetrics } from '#contracts/metrics';
import { captureLines } from '../support/in-process';

/**
 * Metrics kept per invocation when invocations overlap in one process (Lambda Managed Instances,
 * the local system): with a fixed interleaving, so the property does not depend on timing.
 */

type MetricsModule = typeof import('../../functions/commons/metrics');
let metrics: MetricsModule;
let store: Awaited<ReturnType<typeof InvokeStore.getInstanceAsync>>;
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');

beforeAll(async () => {
  // As the runtime does for concurrent invocations: set before Powertools is loaded.
  process.env.AWS_LAMBDA_MAX_CONCURRENCY = '4';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  store = await InvokeStore.getInstanceAsync(true);
  metrics = await import('../../functions/commons/metrics');
});

/** A promise and the function that settles it: one invocation waits where the other says. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

const emf = (lines: string[]) => lines.map((line) => JSON.parse(line)).filter((entry) => '_aws' in entry);

describe('per-invocation metrics', () => {
  it('publishes only the counts of the invocation that publishes, while another is still counting', async () => {
    // prepare: A counts, waits for B to count and publish, counts again, publishes
    const bPublished = gate();
    const aCounted = gate();
    const invocationA = () =>
      store.run({ [REQUEST_ID]: 'a' }, async () => {
        metrics.addMetric('uploadsSigned');
        metrics.countBrokenDown('requestsRefused', 'quota_exceeded');
        aCounted.open();
        await bPublished.opened;
        metrics.addMetric('linkUses');
        metrics.publishInvocationMetrics('request-a');
      });
    const invocationB = () =>
      store.run({ [REQUEST_ID]: 'b' }, async () => {
        await aCounted.opened;
        metrics.addMetric('uploadsReleased');
        metrics.countBrokenDown('requestsRefused', 'invalid_json');
        metrics.publishInvocationMetrics('request-b');
        bPublished.open();
      });

    // act
    const { lines } = await captureLines(() => Promise.all([invocationA(), invocationB()]));

    // assess
    const byRequest = (id: string) =>
      emf(lines)
        .filter((entry) => entry.function_request_id === id)
        .map(({ _aws, function_request_id, service, ...values }) => values);
    expect(byRequest('request-b')).toEqual(
      expect.arrayContaining([
        { [docdropMetrics.requestsRefused.name]: 1, code: 'invalid_json' },
        { [docdropMetrics.uploadsReleased.name]: 1 },
      ]),
    );
    expect(byRequest('request-b')).toHaveLength(2);
    expect(byRequest('request-a')).toEqual(
      expect.arrayContaining([
        { [docdropMetrics.requestsRefused.name]: 1, code: 'quota_exceeded' },
        { [docdropMetrics.uploadsSigned.name]: 1, [docdropMetrics.linkUses.name]: 1 },
      ]),
    );
    expect(byRequest('request-a')).toHaveLength(2);
  });

  it('counts a code outside the bounded shape as `other`, never as itself', async () => {
    // prepare: what an id, a token or a name might look like
    const unbounded = ['Link-7f3a9c2e.secret', '01jq8x7k2m9vz3', 'user_3f9a', 'Passport scan.pdf'];

    // act
    const { lines } = await captureLines(async () =>
      store.run({ [REQUEST_ID]: 'c' }, async () => {
        for (const value of unbounded) metrics.countBrokenDown('uploadsRejected', value);
        metrics.publishInvocationMetrics('request-c');
      }),
    );

    // assess
    expect(emf(lines)).toMatchObject([{ reason: 'other', [docdropMetrics.uploadsRejected.name]: unbounded.length }]);
    for (const value of unbounded) expect(lines.join('\n')).not.toContain(value);
  });

  it('prints nothing for an invocation that counted nothing', async () => {
    // act
    const { lines } = await captureLines(async () =>
      store.run({ [REQUEST_ID]: 'd' }, async () => metrics.publishInvocationMetrics('request-d')),
    );

    // assess
    expect(lines).toEqual([]);
  });
});
