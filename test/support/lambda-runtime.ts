import { InvokeStore } from '@aws/lambda-invoke-store';

/**
 * Stands in for the Lambda runtime in a test worker that calls handler modules itself: the
 * runtime creates the InvokeStore before a handler loads whenever it declares concurrency
 * (AWS_LAMBDA_MAX_CONCURRENCY, inherited here from the local system in the main process), and
 * Powertools' per-invocation stores refuse to work without one.
 */
if (process.env.AWS_LAMBDA_MAX_CONCURRENCY) await InvokeStore.getInstanceAsync();
