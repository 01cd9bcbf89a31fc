import type { Context } from 'aws-lambda';
import { logger } from '#commons/logger';
import { addMetric, publishInvocationMetrics } from '#commons/metrics';
import { decodeEventKey } from '#commons/s3-event-keys';
import { isScanResultEvent, s3EventSchema, scanResultEventSchema } from '#commons/s3-events';
// Traces the SDK clients created below: the validator's bundle carries sharp anyway.
import '#commons/tracer';
import { uploadEventsFromEnvironment } from '#commons/validation';
import { settleScanResult, settleUploadEvent, type UploadEventDeps } from '#domain/validation/settle-upload-event';

const deps: UploadEventDeps = uploadEventsFromEnvironment();

/**
 * Triggered by ObjectCreated under `incoming/` and, with the malware gate on, by GuardDuty's
 * scan result for the same objects (an EventBridge rule). A thrown error makes Lambda retry the event
 * and then hand it to the failure destination; every step is safe to repeat.
 */
export async function handler(event: unknown, context: Context): Promise<void> {
  await settleRecords(event, context).finally(() => publishInvocationMetrics(context.awsRequestId));
}

async function settleRecords(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  if (isScanResultEvent(event)) return settleScan(event, context);
  for (const record of s3EventSchema.parse(event).Records) {
    logger.resetKeys();
    if (record.s3.bucket.name !== deps.bucket || !record.eventName.startsWith('ObjectCreated:')) {
      logger.warn('ignoring an event for another bucket or kind', { eventName: record.eventName });
      continue;
    }
    const arrival = { key: decodeEventKey(record.s3.object.key), sourceIp: record.requestParameters?.sourceIPAddress };
    const started = performance.now();
    await settleUploadEvent(deps, arrival, context.awsRequestId);
    addMetric('validationDuration', performance.now() - started);
  }
}

async function settleScan(event: unknown, context: Context): Promise<void> {
  const { detail } = scanResultEventSchema.parse(event);
  if (detail.s3ObjectDetails.bucketName !== deps.bucket) {
    logger.warn('ignoring a scan result for another bucket');
    return;
  }
  const { scanResultStatus, threats } = detail.scanResultDetails;
  const scan = {
    key: detail.s3ObjectDetails.objectKey,
    result: scanResultStatus,
    threats: (threats ?? []).map((threat) => threat.name),
  };
  const started = performance.now();
  await settleScanResult(deps, scan, context.awsRequestId);
  addMetric('validationDuration', performance.now() - started);
}
