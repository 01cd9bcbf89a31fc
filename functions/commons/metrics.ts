import { InvocationScoped } from '@aws-lambda-powertools/commons/utils/invocation-scoped';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type DocdropMetric, docdropMetrics, metricsNamespace, metricsService } from '#contracts/metrics';
import { logger } from './logger';

/**
 * The one Metrics instance of a function. Powertools keeps its stored metrics, dimensions and
 * metadata per invocation (in the Lambda InvokeStore) when AWS_LAMBDA_MAX_CONCURRENCY is set, as
 * on Lambda Managed Instances and in the local system, so overlapping invocations never publish
 * each other's counts; one invocation at a time (classic Lambda) they are cleared at each publish.
 */
const metrics = new Metrics({ namespace: metricsNamespace, serviceName: metricsService });

/**
 * The shape of the codes the code defines (`quota_exceeded`, `type_mismatch`): words, no digits.
 * Anything else (an id, a name, a token) is counted as `other`, so no dimension ever carries it.
 */
const BOUNDED_VALUE = /^(?=.{1,48}$)[a-z]+(?:_[a-z]+)*$/;

type BrokenDownMetric = {
  [Name in DocdropMetric]: (typeof docdropMetrics)[Name] extends { breakdown: string } ? Name : never;
}[DocdropMetric];
type PlainMetric = Exclude<DocdropMetric, BrokenDownMetric>;

/**
 * Counts broken down by a dimension, per metric and value, until the invocation publishes: one
 * EMF line holds one value per dimension, so each value gets its own line. Scoped exactly as
 * Powertools scopes its own stores.
 */
const breakdowns = new InvocationScoped<Map<string, { metric: BrokenDownMetric; value: string; count: number }>>(
  'docdrop.metrics.breakdowns',
  { fresh: () => new Map() },
);

/** Adds one to a metric of this invocation (or `value` to a duration). */
export function addMetric(metric: PlainMetric, value = 1): void {
  const { name, unit } = docdropMetrics[metric];
  metrics.addMetric(name, unit, value);
}

/** Adds one to a metric broken down by a code (a rejection reason, an error code). */
export function countBrokenDown(metric: BrokenDownMetric, code: string): void {
  const value = BOUNDED_VALUE.test(code) ? code : 'other';
  const pending = breakdowns.get();
  const key = `${metric}\u0000${value}`;
  const entry = pending.get(key);
  if (entry) entry.count += 1;
  else pending.set(key, { metric, value, count: 1 });
}

/**
 * Prints this invocation's metrics as EMF lines, each with the Lambda request id (as metadata,
 * not a dimension) so a metric leads to its log lines. Called once at the end of every invocation.
 */
export function publishInvocationMetrics(functionRequestId: string): void {
  try {
    for (const { metric, value, count } of breakdowns.get().values()) {
      const { name, unit, breakdown } = docdropMetrics[metric];
      const single = metrics.singleMetric();
      single.addDimension(breakdown, value);
      single.addMetadata('function_request_id', functionRequestId);
      // A single metric prints as soon as it is added.
      single.addMetric(name, unit, count);
    }
    // Publishing nothing would print Powertools' plain-text "no metrics" warning among the JSON lines.
    if (metrics.hasStoredMetrics()) {
      metrics.addMetadata('function_request_id', functionRequestId);
      metrics.publishStoredMetrics();
    }
  } catch (error) {
    // A metric that cannot be printed must not turn the invocation's answer into a failure.
    logger.warn('could not publish metrics', error as Error);
  } finally {
    breakdowns.reset();
    metrics.clearMetrics();
  }
}
