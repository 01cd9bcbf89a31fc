import type { Context } from 'aws-lambda';
import { logger } from '#commons/logger';
import { addMetric, publishInvocationMetrics } from '#commons/metrics';
import { validatorWork } from '#commons/s3-events';
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
  await settle(event, context).finally(() => publishInvocationMetrics(context.awsRequestId));
}

async function settle(event: unknown, context: Context): Promise<void> {
  logger.addContext(context);
  const work = validatorWork(event, deps.bucket);
  const timed = async (run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    addMetric('validationDuration', performance.now() - started);
  };
  if (work.kind === 'scan') {
    if (!work.scan) return logger.warn('ignoring a scan result for another bucket');
    const scan = work.scan;
    return timed(() => settleScanResult(deps, scan, context.awsRequestId));
  }
  for (const eventName of work.ignored) logger.warn('ignoring an event for another bucket or kind', { eventName });
  for (const arrival of work.arrivals) {
    logger.resetKeys();
    await timed(() => settleUploadEvent(deps, arrival, context.awsRequestId));
  }
}
