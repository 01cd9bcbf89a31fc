import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/**
 * Handler modules called in the test's own process, as Lambda would call them, with what they
 * write to stdout and stderr captured: for the tests of what the functions print (logs, metrics).
 */

export type HttpFunction = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An API Gateway HTTP API (payload 2.0) event, shaped as the local gateway makes them. */
export function httpEvent(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): APIGatewayProxyEventV2 {
  const routeKey = `${method} ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'localhost', 'user-agent': 'in-process-test', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'local',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'in-process-test' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

export interface Invocation {
  readonly result: APIGatewayProxyStructuredResultV2;
  readonly body: any;
  readonly context: Context;
  /** Every line written to stdout or stderr while the handler ran. */
  readonly lines: string[];
}

/** Runs `act`, capturing every line it (and anything running meanwhile) writes to stdout and stderr. */
export async function captureLines<T>(act: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  let value: T;
  try {
    value = await act();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
  }
  const lines = written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return { value, lines };
}

/** Calls a handler as Lambda would, capturing what it writes to stdout and stderr meanwhile. */
export async function invoke(
  handler: HttpFunction,
  functionName: string,
  event: APIGatewayProxyEventV2,
  context = lambdaContext(functionName),
): Promise<Invocation> {
  const { value: result, lines } = await captureLines(() => handler(event, context));
  return { result, body: result.body ? JSON.parse(result.body) : undefined, context, lines };
}
