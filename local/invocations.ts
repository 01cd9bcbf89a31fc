import { randomUUID } from 'node:crypto';
import { InvokeStore } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '#contracts/functions';
import { localFunctionName } from './environment';

/**
 * The local system runs every function in one process and, like Lambda Managed Instances,
 * lets invocations overlap. With AWS_LAMBDA_MAX_CONCURRENCY set, Powertools Logger keeps its
 * context (request id, user, keys) per invocation in the InvokeStore, so concurrent requests
 * never log each other's ids. Each invocation runs inside `runInvocation`, as the runtime does.
 */
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '64';
const store = await InvokeStore.getInstanceAsync(true);
// The runtime's key for the request id (REQUEST_ID): a global symbol.
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');

export function runInvocation<T>(requestId: string, invoke: () => Promise<T>): Promise<T> {
  return store.run({ [REQUEST_ID]: requestId }, invoke);
}

/** An invocation still running at its function's timeout; Lambda would stop it and report `Sandbox.Timedout`. */
export class FunctionTimedOut extends Error {
  constructor(
    readonly functionName: string,
    readonly timeoutMs: number,
  ) {
    // Lambda's own words in the function's log.
    super(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
  }
}

/** A Lambda context for one invocation of `handler` whose clock runs out after `timeoutMs`, as the runtime's does. */
export function lambdaContext(handler: FunctionName, timeoutMs: number): Context {
  const functionName = localFunctionName(handler);
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Runs one invocation and fails it with FunctionTimedOut at its timeout, as Lambda does. Lambda
 * also stops the function's code there; one process cannot stop a promise, so the abandoned
 * invocation runs on unobserved (its SDK calls are bounded by their own timeouts).
 */
export async function invokeWithTimeout<T>(context: Context, timeoutMs: number, invoke: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimedOut(context.functionName, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([runInvocation(context.awsRequestId, invoke), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
