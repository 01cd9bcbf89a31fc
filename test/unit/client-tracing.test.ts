import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureLines } from '../support/in-process';

/**
 * SDK clients are traced only where a function loads the tracer, and only in Lambda: locally
 * and in tests there is no X-Ray daemon to send to, so nothing is wrapped and nothing printed.
 */

const newClient = () => new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
const middlewareNames = (client: DynamoDBClient) => client.middlewareStack.identify().join(' ');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('client tracing', () => {
  it('leaves clients as they are in a function that does not load the tracer', async () => {
    // prepare
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    const { traced } = await import('../../functions/commons/client-tracing');
    const client = newClient();

    // act
    const result = traced(client);

    // assess
    expect(result).toBe(client);
    expect(middlewareNames(result)).not.toMatch(/xray/i);
  });

  it('leaves clients unwrapped outside Lambda and prints nothing, even with the tracer loaded', async () => {
    // prepare: no AWS_EXECUTION_ENV, as locally and in tests
    vi.stubEnv('AWS_EXECUTION_ENV', '');

    // act
    const { value: client, lines } = await captureLines(async () => {
      const { tracer } = await import('../../functions/commons/tracer');
      const { traced } = await import('../../functions/commons/client-tracing');
      expect(tracer.isTracingEnabled()).toBe(false);
      return traced(newClient());
    });

    // assess
    expect(middlewareNames(client)).not.toMatch(/xray/i);
    expect(lines).toEqual([]);
  });

  it('traces every call of a client in Lambda once the tracer is loaded', async () => {
    // prepare
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs24.x');
    await import('../../functions/commons/tracer');
    const { traced } = await import('../../functions/commons/client-tracing');

    // act
    const client = traced(newClient());

    // assess
    expect(middlewareNames(client)).toMatch(/xray/i);
  });
});
