import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '#commons/logger';
import { noticeSenderFromEnvironment } from '#commons/notices';
import type { ArrivalNotice } from '#domain/links/arrival-notices';
import { deliverNotice } from '#domain/notices/send-notice';

const deps = noticeSenderFromEnvironment();

const withoutAddresses = (text: string): string => text.replace(/[^\s<>"',;:]+@[^\s<>"',;:]+/g, '<address>');

/**
 * Triggered by the notice queue (SQS, partial batch responses on): each message is one notice.
 * A notice whose send failed, or that another delivery is sending, is reported back, so only it
 * is received again; after the queue's receive limit it goes to the dead-letter queue.
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    logger.resetKeys();
    try {
      const notice = JSON.parse(record.body) as ArrivalNotice;
      logger.appendKeys({ fileId: notice.fileId, status: notice.status });
      const outcome = await deliverNotice(deps, notice);
      if (outcome === 'busy') {
        logger.info('notice being sent by another delivery; received again later');
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    } catch (error) {
      // SES names the refused address in its messages (sandbox, suppression list): it is kept out of the logs.
      logger.error('notice not sent; it is received again', {
        error: { name: (error as Error).name, message: withoutAddresses((error as Error).message ?? '') },
        receiveCount: record.attributes?.ApproximateReceiveCount,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
