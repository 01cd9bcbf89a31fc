import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, S3Event } from 'aws-lambda';
import { encodeEventKey } from '#commons/s3-event-keys';
import { bucketLayout } from '#contracts/bucket';
import { functionTimeoutSeconds, validatorFunction } from '#contracts/functions';
import type { FailedInvocationStore } from './failed-invocations';
import { keysOf } from './failed-invocations';
import { invokeWithTimeout, lambdaContext } from './invocations';
import type { EmulatorS3Event } from './s3';

const logger = new Logger({ serviceName: 'local-s3-events' });

export type S3Function = (event: S3Event, context: Context) => Promise<void>;

/**
 * Lambda's asynchronous invocation retries a function error twice, one minute after the first
 * attempt and two minutes after the second (docs: "How Lambda handles errors and retries with
 * asynchronous invocation"); then the event goes to the failure destination.
 */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

export interface AsyncInvocationOptions {
  /** The wait before each retry, in order: its length is the number of retries. */
  readonly retryDelaysMs: readonly number[];
  /** Where an event that failed every attempt is kept (the failure destination). */
  readonly store: FailedInvocationStore;
  readonly functionName: string;
}

interface Invocation {
  readonly id: string;
  readonly event: S3Event;
  /** Attempts made so far. */
  attempts: number;
  /** True while a copy is in the store: a later success removes it. */
  kept: boolean;
  /** A replay from the store is one attempt; failing again keeps it there. */
  readonly replay: boolean;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Delivers the emulator's ObjectCreated events under `incoming/` to the validator, as the
 * bucket notification does in the cloud: asynchronously, retried over minutes on error, with
 * the key encoded as S3 encodes it, and kept on disk when every attempt failed.
 */
export function createS3EventBridge(validator: () => S3Function | undefined, options: AsyncInvocationOptions) {
  const running = new Map<string, { invocation: Invocation; done: Promise<void> }>();
  const waiting = new Map<string, { invocation: Invocation; timer: NodeJS.Timeout }>();
  let idleWaiters: (() => void)[] = [];
  let closing = false;

  function notifyIfIdle(): void {
    if (running.size > 0 || waiting.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  function keep(invocation: Invocation, error: string): void {
    try {
      saveToStore(invocation, error);
    } catch (failure) {
      // The one place an accepted upload could still be lost: say so loudly, with its keys.
      logger.critical('validator event could not be kept in the failure store', {
        invocationId: invocation.id,
        keys: keysOf(invocation.event),
        error: messageOf(failure),
      });
    }
  }

  function saveToStore(invocation: Invocation, error: string): void {
    options.store.save({
      id: invocation.id,
      functionName: options.functionName,
      event: invocation.event,
      keys: keysOf(invocation.event),
      error,
      failedAt: new Date().toISOString(),
      attempts: invocation.attempts,
    });
    invocation.kept = true;
    logger.error('validator event kept in the failure store, to be replayed', {
      invocationId: invocation.id,
      keys: keysOf(invocation.event),
      attempts: invocation.attempts,
      error,
    });
  }

  async function invokeOnce(event: S3Event): Promise<void> {
    const timeoutMs = functionTimeoutSeconds[validatorFunction] * 1000;
    const context = lambdaContext(validatorFunction, timeoutMs);
    const fn = validator();
    if (!fn) throw new Error('validator not loaded yet');
    // A run past the validator's timeout fails like any error: retried, then kept.
    await invokeWithTimeout(context, timeoutMs, () => fn(event, context));
  }

  function onFailure(invocation: Invocation, error: unknown): void {
    const delay = options.retryDelaysMs[invocation.attempts - 1];
    if (invocation.replay || closing || delay === undefined) {
      keep(invocation, messageOf(error));
      return;
    }
    logger.warn('validator failed; retrying', {
      invocationId: invocation.id,
      keys: keysOf(invocation.event),
      attempt: invocation.attempts,
      retryInMs: delay,
      error: messageOf(error),
    });
    const timer = setTimeout(() => {
      waiting.delete(invocation.id);
      attempt(invocation);
    }, delay);
    waiting.set(invocation.id, { invocation, timer });
  }

  function attempt(invocation: Invocation): void {
    invocation.attempts++;
    const done = invokeOnce(invocation.event)
      .then(
        () => {
          if (invocation.kept) options.store.remove(invocation.id);
          if (invocation.replay) logger.info('replayed validator event succeeded', { invocationId: invocation.id });
        },
        (error) => onFailure(invocation, error),
      )
      .finally(() => {
        running.delete(invocation.id);
        notifyIfIdle();
      });
    running.set(invocation.id, { invocation, done });
  }

  function deliver(event: S3Event): void {
    const invocation: Invocation = { id: randomUUID(), event, attempts: 0, kept: false, replay: false };
    if (closing) keep(invocation, 'delivered while the local system was stopping');
    else attempt(invocation);
  }

  return {
    /** Queues one event for asynchronous invocation with Lambda's retries (InvocationType Event). */
    deliver,
    onEmulatorEvent(event: EmulatorS3Event): void {
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated:')) continue;
        if (!record.s3.object.key.startsWith(bucketLayout.incomingPrefix)) continue;
        deliver({
          Records: [
            {
              ...record,
              s3: { ...record.s3, object: { ...record.s3.object, key: encodeEventKey(record.s3.object.key) } },
            },
          ],
        } as unknown as S3Event);
      }
    },
    /** Tries each kept event once more; one that succeeds leaves the store. */
    replayFailed(): void {
      if (closing) return;
      for (const stored of options.store.list()) {
        if (running.has(stored.id) || waiting.has(stored.id)) continue;
        attempt({ id: stored.id, event: stored.event, attempts: stored.attempts, kept: true, replay: true });
      }
    },
    /** Resolves when no event is running or waiting for a retry. */
    idle(): Promise<void> {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        notifyIfIdle();
      });
    },
    /**
     * For shutdown: events waiting for a retry are kept on disk at once; running ones get up to
     * `deadlineMs` to finish, and those still running then are kept too (a later success removes them).
     */
    async drain(deadlineMs: number): Promise<void> {
      closing = true;
      for (const { invocation, timer } of waiting.values()) {
        clearTimeout(timer);
        keep(invocation, 'waiting for a retry when the local system stopped');
      }
      waiting.clear();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, deadlineMs);
      });
      await Promise.race([Promise.allSettled([...running.values()].map(({ done }) => done)), deadline]);
      clearTimeout(timer);
      for (const { invocation } of running.values())
        if (!invocation.kept) keep(invocation, 'still running when the local system stopped');
      notifyIfIdle();
    },
  };
}

export type S3EventBridge = ReturnType<typeof createS3EventBridge>;
