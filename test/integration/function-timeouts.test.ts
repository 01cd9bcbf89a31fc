import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionTimeoutSeconds } from '#contracts/functions';
import { type HttpFunction, type LocalGateway, startGateway } from '../../local/gateway';
import { captureLines } from '../support/in-process';

/**
 * The local gateway holds each function to its timeout as Lambda does: a handler still running
 * then is answered as API Gateway HTTP API answers a failed (timed-out) Lambda integration, and
 * the gateway's log says which function timed out. Real HTTP, handlers of the test's own.
 */

const TIMEOUT_SECONDS = 1;
let gateway: LocalGateway;
const remainingAtStart: number[] = [];

const neverAnswers: HttpFunction = async (_event, context: Context) => {
  remainingAtStart.push(context.getRemainingTimeInMillis());
  return new Promise(() => undefined);
};

const answersAtOnce: HttpFunction = async (_event, context: Context) => {
  remainingAtStart.push(context.getRemainingTimeInMillis());
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
};

beforeAll(async () => {
  gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    handlers: new Map([
      ['health', neverAnswers],
      ['describe-api', answersAtOnce],
    ]),
    publicConfig: {},
    timeoutSecondsOverride: { health: TIMEOUT_SECONDS },
  });
});

afterAll(async () => {
  await gateway?.stop();
});

describe('function timeouts in the local gateway', () => {
  it('answers a handler still running at its timeout with API Gateway’s 500, and logs the timeout', async () => {
    // prepare
    const started = performance.now();

    // act
    const { value: response, lines } = await captureLines(() => fetch(`${gateway.url}/api/health`));
    const elapsed = performance.now() - started;

    // assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_SECONDS * 1000 - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_SECONDS * 1000 + 1000);
    const logged = lines.flatMap((line) => line.split('\n')).filter((line) => line.includes('function timed out'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({
      level: 'ERROR',
      functionName: 'docdrop-local-health',
      timeoutMs: TIMEOUT_SECONDS * 1000,
      reason: 'Task timed out after 1.00 seconds',
    });
  });

  it('tells the handler the time it has left from its own timeout, as Lambda’s context does', async () => {
    // act
    remainingAtStart.length = 0;
    const response = await fetch(`${gateway.url}/api/openapi.json`);

    // assess
    expect(response.status).toBe(200);
    const remaining = remainingAtStart[0] as number;
    expect(remaining).toBeLessThanOrEqual(functionTimeoutSeconds['describe-api'] * 1000);
    expect(remaining).toBeGreaterThan(functionTimeoutSeconds['describe-api'] * 1000 - 500);
  });
});
