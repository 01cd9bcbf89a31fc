import { Tracer } from '@aws-lambda-powertools/tracer';
import { traceClientsWith } from './client-tracing';

/**
 * Powertools Tracer for the functions whose bundle can afford the X-Ray SDK: importing this
 * module traces every SDK client that `#commons/clients` creates afterwards. Tracing is on only
 * in Lambda (Powertools checks AWS_EXECUTION_ENV, and POWERTOOLS_TRACE_ENABLED=false turns it off):
 * locally and in tests there is no X-Ray daemon, and clients are returned unwrapped.
 */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docdrop' });

traceClientsWith((client) => tracer.captureAWSv3Client(client));
