import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { logger } from '#commons/logger';
import { decodeEventKey } from '#commons/s3-event-keys';
import { recordAudit } from '#domain/audit';
import { arrivalNotice, notifyLinkOwner } from '#domain/notifications';
import { validateUpload } from '#domain/validate-upload';

const config = readConfig('AUDIT_TABLE', 'MAX_IMAGE_PIXELS', 'NOTIFICATION_TOPIC_ARN', 'AWS_REGION');
const db = createDocumentClient();
const deps = { ...storageFromEnvironment(db), images: { maxPixels: config.MAX_IMAGE_PIXELS } };
const notices = {
  db,
  auditTable: config.AUDIT_TABLE,
  ...(config.NOTIFICATION_TOPIC_ARN
    ? { sns: { client: new SNSClient({ region: config.AWS_REGION }), topicArn: config.NOTIFICATION_TOPIC_ARN } }
    : {}),
};

const s3EventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventName: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string() }),
          object: z.object({ key: z.string().min(1), size: z.number().optional() }),
        }),
      }),
    )
    .min(1),
});

/**
 * Triggered by ObjectCreated under `incoming/`. A thrown error makes Lambda retry the event
 * and then hand it to the failure destination; every step is safe to repeat.
 */
export async function handler(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  const { Records } = s3EventSchema.parse(event);
  for (const record of Records) {
    logger.resetKeys();
    if (record.s3.bucket.name !== deps.bucket || !record.eventName.startsWith('ObjectCreated:')) {
      logger.warn('ignoring an event for another bucket or kind', { eventName: record.eventName });
      continue;
    }
    const { outcome, file, verdict, replacedFileId } = await validateUpload(deps, decodeEventKey(record.s3.object.key));
    if (file && (outcome === 'clean' || outcome === 'rejected')) {
      // The notice first: once the validation is in the trail, any notice is too.
      if (file.linkId) {
        await notifyLinkOwner(
          notices,
          arrivalNotice({ ...file, linkId: file.linkId }, outcome, verdict && !verdict.ok ? verdict.reason : undefined),
        );
      }
      await recordAudit(db, config.AUDIT_TABLE, {
        ownerId: file.ownerId,
        action: 'upload.validate',
        actor: 'system:validator',
        objectId: file.fileId,
        outcome: verdict && !verdict.ok ? `rejected:${verdict.code}` : outcome,
        requestId: context.awsRequestId,
      });
      if (replacedFileId) {
        await recordAudit(db, config.AUDIT_TABLE, {
          ownerId: file.ownerId,
          action: 'file.replace',
          actor: 'system:validator',
          objectId: replacedFileId,
          outcome: `new-version-from:${file.fileId}`,
          requestId: context.awsRequestId,
        });
      }
    }
  }
}
