import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { boundedCalls } from '#commons/call-bounds';
import { traced } from '#commons/client-tracing';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { readConfig } from '#commons/config';
import { linksFromEnvironment } from '#commons/links';
import { logger } from '#commons/logger';
import { revalidationFromEnvironment } from '#commons/validation-requests';
import { backgroundCalls } from '#contracts/limits';
import { type SweepDeps, sweepUploads } from '#domain/uploads/sweep-uploads';
import { redriveValidatorFailures } from '#domain/validation/failure-redrive';

// Not behind an API request: the background budget, like the validator's.
const db = createDocumentClient(backgroundCalls);
const storage = storageFromEnvironment(db, backgroundCalls);
const config = readConfig('AWS_REGION', 'UPLOAD_GRACE_SECONDS', 'VALIDATOR_FAILURES_QUEUE_URL');
const deps: SweepDeps = {
  storage,
  files: storage.files,
  quotas: quotasFromEnvironment(db),
  links: linksFromEnvironment(db),
  audit: auditLogFromEnvironment(db),
  ...revalidationFromEnvironment(storage.bucket, backgroundCalls),
  graceSeconds: config.UPLOAD_GRACE_SECONDS,
};
// Only in the cloud: locally the validator's failures are kept on disk and replayed at start.
const failures = config.VALIDATOR_FAILURES_QUEUE_URL
  ? {
      sqs: traced(new SQSClient({ region: config.AWS_REGION, ...boundedCalls(backgroundCalls) })),
      queueUrl: config.VALIDATOR_FAILURES_QUEUE_URL,
    }
  : undefined;

/** Run on a schedule (EventBridge in the cloud, a timer locally): nothing stays pending for ever. */
export async function handler(_event: unknown, context: Context) {
  logger.addContext(context);
  const swept = await sweepUploads(deps, { actor: 'system:sweep', requestId: context.awsRequestId });
  const redriven = failures ? await redriveValidatorFailures(failures, deps.requestValidation) : 0;
  return { ...swept, redriven };
}
