import { InvokeStore } from '@aws/lambda-invoke-store';

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
