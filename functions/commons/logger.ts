import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Every handler adds the Lambda context (request id) and the acting user
 * or link, so each line says who did what. Never pass it tokens, presigned URLs or file contents.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'docdrop' });
