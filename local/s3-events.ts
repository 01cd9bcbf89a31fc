import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, S3Event } from 'aws-lambda';
import { encodeEventKey } from '#commons/s3-event-keys';
import { bucketLayout } from '#contracts/bucket';
import { LOCAL_VALIDATOR_NAME } from './environment';
import { runInvocation } from './invocations';
import type { EmulatorS3Event } from './s3';

const logger = new Logger({ serviceName: 'local-s3-events' });

export type S3Function = (event: S3Event, context: Context) => Promise<void>;

/** Lambda's asynchronous invocation: up to two retries, then the failure destination. */
const RETRY_DELAYS_MS = [200, 1000];

/**
 * Delivers the emulator's ObjectCreated events under `incoming/` to the validator, as the
 * bucket notification does in the cloud: asynchronously, retried on error, and with the
 * key encoded as S3 encodes it.
 */
export function createS3EventBridge(validator: () => S3Function | undefined) {
  const inFlight = new Set<Promise<void>>();
  const failed: S3Event[] = [];

  async function invoke(event: S3Event): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const context = { awsRequestId: randomUUID(), functionName: LOCAL_VALIDATOR_NAME } as Context;
      try {
        const fn = validator();
        if (!fn) throw new Error('validator not loaded yet');
        await runInvocation(context.awsRequestId, () => fn(event, context));
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          logger.error('validator failed; event kept as a failure-destination message', { error: error as Error });
          failed.push(event);
          return;
        }
        logger.warn('validator failed; retrying', { attempt: attempt + 1, error: error as Error });
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Hands one event to the validator asynchronously, as Lambda's async invocation does. */
  function deliver(event: S3Event): void {
    const delivery = invoke(event).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }

  return {
    deliver,
    onEmulatorEvent(event: EmulatorS3Event): void {
      for (const record of event.Records) {
        if (!record.eventName.startsWith('ObjectCreated:')) continue;
        if (!record.s3.object.key.startsWith(bucketLayout.incomingPrefix)) continue;
        const awsEvent = {
          Records: [
            {
              ...record,
              s3: { ...record.s3, object: { ...record.s3.object, key: encodeEventKey(record.s3.object.key) } },
            },
          ],
        } as unknown as S3Event;
        deliver(awsEvent);
      }
    },
    /** Resolves when no event is being handled: used on shutdown and by tests. */
    async idle(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    failed,
  };
}
