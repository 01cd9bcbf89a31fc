import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { traced } from '#commons/client-tracing';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { readConfig } from '#commons/config';
import { logger } from '#commons/logger';
import { addMetric, publishInvocationMetrics } from '#commons/metrics';
import { decodeEventKey } from '#commons/s3-event-keys';
// Traces the SDK clients created below: the validator's bundle carries sharp anyway.
import '#commons/tracer';
import { recordAudit } from '#domain/audit/audit-trail';
import { arrivalNotice, notifyLinkOwner } from '#domain/links/arrival-notices';
import { validateUpload } from '#domain/validation/validate-upload';

const config = readConfig('MAX_IMAGE_PIXELS', 'NOTIFICATION_TOPIC_ARN', 'AWS_REGION', 'NONCURRENT_VERSION_DAYS');
const db = createDocumentClient();
const deps = {
  ...storageFromEnvironment(db),
  quotas: quotasFromEnvironment(db),
  images: { maxPixels: config.MAX_IMAGE_PIXELS },
  noncurrentVersionDays: config.NONCURRENT_VERSION_DAYS,
};
const audit = auditLogFromEnvironment(db);
const notices = {
  audit,
  ...(config.NOTIFICATION_TOPIC_ARN
    ? { sns: { client: traced(new SNSClient({ region: config.AWS_REGION })), topicArn: config.NOTIFICATION_TOPIC_ARN } }
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
        // Who sent the upload to S3: the audit trail's source address for the validation.
        requestParameters: z.object({ sourceIPAddress: z.string().max(64).optional() }).optional(),
      }),
    )
    .min(1),
});

/**
 * Triggered by ObjectCreated under `incoming/`. A thrown error makes Lambda retry the event
 * and then hand it to the failure destination; every step is safe to repeat.
 */
export async function handler(event: unknown, context: Context): Promise<void> {
  await validateRecords(event, context).finally(() => publishInvocationMetrics(context.awsRequestId));
}

async function validateRecords(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  const { Records } = s3EventSchema.parse(event);
  for (const record of Records) {
    logger.resetKeys();
    if (record.s3.bucket.name !== deps.bucket || !record.eventName.startsWith('ObjectCreated:')) {
      logger.warn('ignoring an event for another bucket or kind', { eventName: record.eventName });
      continue;
    }
    const started = performance.now();
    const { outcome, file, verdict, replacedFileId } = await validateUpload(deps, decodeEventKey(record.s3.object.key));
    addMetric('validationDuration', performance.now() - started);
    if (file && (outcome === 'clean' || outcome === 'rejected')) {
      // The validator has no HTTP request: its Lambda request id ties the entry to its log lines.
      const origin = {
        actor: 'system:validator',
        requestId: context.awsRequestId,
        ...(record.requestParameters?.sourceIPAddress ? { sourceIp: record.requestParameters.sourceIPAddress } : {}),
      };
      // The notice first: once the validation is in the trail, any notice is too.
      if (file.linkId) {
        await notifyLinkOwner(
          notices,
          arrivalNotice({ ...file, linkId: file.linkId }, outcome, verdict && !verdict.ok ? verdict.reason : undefined),
          origin,
        );
      }
      await recordAudit(audit, origin, {
        ownerId: file.ownerId,
        action: 'upload.validate',
        objectId: file.fileId,
        outcome: verdict && !verdict.ok ? `rejected:${verdict.code}` : outcome,
      });
      if (replacedFileId) {
        await recordAudit(audit, origin, {
          ownerId: file.ownerId,
          action: 'file.replace',
          objectId: replacedFileId,
          outcome: `new-version-from:${file.fileId}`,
        });
      }
    }
  }
}
