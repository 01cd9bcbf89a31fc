import type { Context } from 'aws-lambda';
import { logger } from '#commons/logger';
import { sweepFromEnvironment } from '#commons/sweep';
import { sweepUploads } from '#domain/uploads/sweep-uploads';
import { redriveValidatorFailures } from '#domain/validation/failure-redrive';

const { deps, failures } = sweepFromEnvironment();

/** Run on a schedule (EventBridge in the cloud, a timer locally): nothing stays pending for ever. */
export async function handler(_event: unknown, context: Context) {
  logger.addContext(context);
  const swept = await sweepUploads(deps, { actor: 'system:sweep', requestId: context.awsRequestId });
  const redriven = failures ? await redriveValidatorFailures(failures, deps.requestValidation) : 0;
  return { ...swept, redriven };
}
