import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { logger } from '#commons/logger';
import { decodeEventKey } from '#commons/s3-event-keys';
import { isScanResultEvent, s3EventSchema, scanResultEventSchema } from '#commons/s3-events';
import type { RequestValidation } from '#domain/uploads/sweep-uploads';

export interface FailureQueue {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}

/** At most this many messages per run: the next scheduled run takes the rest. */
const MAX_MESSAGES_PER_RUN = 100;

/**
 * Redrives the validator's failure queue: each message is Lambda's on-failure record, which
 * carries the original S3 event in `requestPayload`. Validation is asked again for each of its
 * keys, then the message is deleted; a message that is not such a record is kept for an operator.
 */
export async function redriveValidatorFailures(
  queue: FailureQueue,
  requestValidation: RequestValidation,
): Promise<number> {
  let redriven = 0;
  while (redriven < MAX_MESSAGES_PER_RUN) {
    const { Messages = [] } = await queue.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      let keys: string[];
      try {
        keys = failedKeys((JSON.parse(message.Body ?? '') as { requestPayload?: unknown }).requestPayload);
      } catch {
        logger.warn('failure-queue message is neither an S3 event nor a scan result; left for an operator', {
          messageId: message.MessageId,
        });
        continue;
      }
      for (const key of keys) await requestValidation(key);
      await queue.sqs.send(
        new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      redriven += 1;
    }
  }
  return redriven;
}

/**
 * The objects a failed invocation was about: S3's records, or a scan result's one object (asked
 * again as an arrival, the validator reads the scan's result from the object's tag).
 */
function failedKeys(payload: unknown): string[] {
  if (isScanResultEvent(payload)) return [scanResultEventSchema.parse(payload).detail.s3ObjectDetails.objectKey];
  return s3EventSchema.parse(payload).Records.map((record) => decodeEventKey(record.s3.object.key));
}
