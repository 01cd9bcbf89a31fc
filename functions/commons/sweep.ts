import { SQSClient } from '@aws-sdk/client-sqs';
import { backgroundCalls } from '#contracts/limits';
import type { SweepDeps } from '#domain/uploads/sweep-uploads';
import type { FailureQueue } from '#domain/validation/failure-redrive';
import { boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from './clients';
import { readConfig } from './config';
import { linksFromEnvironment } from './links';
import { revalidationFromEnvironment } from './validation-requests';

/**
 * What the sweep touches, from its function's environment. Not behind an API request: the
 * background call budget, like the validator's. The failure queue only in the cloud: locally
 * the validator's failures are kept on disk and replayed by the local system.
 */
export function sweepFromEnvironment(): { deps: SweepDeps; failures?: FailureQueue } {
  const db = createDocumentClient(backgroundCalls);
  const storage = storageFromEnvironment(db, backgroundCalls);
  const { AWS_REGION, UPLOAD_GRACE_SECONDS, VALIDATOR_FAILURES_QUEUE_URL } = readConfig(
    'AWS_REGION',
    'UPLOAD_GRACE_SECONDS',
    'VALIDATOR_FAILURES_QUEUE_URL',
  );
  const deps: SweepDeps = {
    storage,
    files: storage.files,
    quotas: quotasFromEnvironment(db),
    links: linksFromEnvironment(db),
    audit: auditLogFromEnvironment(db),
    ...revalidationFromEnvironment(storage.bucket, backgroundCalls),
    graceSeconds: UPLOAD_GRACE_SECONDS,
  };
  if (!VALIDATOR_FAILURES_QUEUE_URL) return { deps };
  const sqs = traced(new SQSClient({ region: AWS_REGION, ...boundedCalls(backgroundCalls) }));
  return { deps, failures: { sqs, queueUrl: VALIDATOR_FAILURES_QUEUE_URL } };
}
