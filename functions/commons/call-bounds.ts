import { AsyncLocalStorage } from 'node:async_hooks';
import { dependencyCalls } from '#contracts/limits';

/** How long one call may take and how often it is tried: `dependencyCalls` for the API, `backgroundCalls` for the validator. */
export interface CallBudget {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

/**
 * The SDK client options that bound every call. Given as the request handler's options (not a
 * NodeHttpHandler instance), so no bundle carries more than its SDK client already does.
 * `requestTimeout` alone only logs a warning in @smithy/node-http-handler 4.x:
 * `throwOnRequestTimeout` makes it the TimeoutError the retry strategy and http.ts act on, and
 * `socketTimeout` ends a body that stops arriving after its headers.
 */
export function boundedCalls(budget: CallBudget = dependencyCalls) {
  return {
    maxAttempts: budget.maxAttempts,
    requestHandler: {
      connectionTimeout: budget.connectionTimeoutMs,
      requestTimeout: budget.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: budget.requestTimeoutMs,
    },
  };
}

const requestSignal = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs one request's work with its deadline's signal in scope: every call of a client made by
 * `boundedByRequest` is aborted when the request's answer has been given. Without it, a call
 * abandoned at the deadline could still retry and write after the 503, or (in Lambda, whose
 * environment freezes between invocations) resume inside the next invocation.
 */
export function runWithinDeadline<T>(signal: AbortSignal, run: () => Promise<T>): Promise<T> {
  return requestSignal.run(signal, run);
}

interface SendsCommands {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send has overloads; only its options are touched here.
  send(command: any, options?: any): Promise<unknown>;
}

/** The client, its `send` given the current request's abort signal (outside a request, none). */
export function boundedByRequest<Client extends SendsCommands>(client: Client): Client {
  const send = client.send.bind(client);
  client.send = (command: unknown, options?: { abortSignal?: AbortSignal }) => {
    const signal = requestSignal.getStore();
    return send(command, signal && !options?.abortSignal ? { ...options, abortSignal: signal } : options);
  };
  return client;
}
