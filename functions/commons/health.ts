import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dependencyCalls } from '#contracts/limits';
import type { DependencyCheck } from '#domain/health/dependencies';
import { boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import { readConfig } from './config';

/**
 * What `/api/health` checks, from this function's environment. DynamoDB: DescribeTable on the
 * files table, metadata only (`dynamodb:DescribeTable` on that one table), so the check reads
 * no one's data. One attempt each: health says how things are now, it does not wait them out.
 */
export function dependencyChecksFromEnvironment(): { database: DependencyCheck } {
  const { AWS_REGION, DYNAMODB_ENDPOINT, FILES_TABLE } = readConfig('AWS_REGION', 'DYNAMODB_ENDPOINT', 'FILES_TABLE');
  const dynamodb = traced(
    new DynamoDBClient({
      region: AWS_REGION,
      ...boundedCalls({ ...dependencyCalls, requestTimeoutMs: dependencyCalls.healthCheckTimeoutMs, maxAttempts: 1 }),
      ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}),
    }),
  );
  return {
    database: (signal) => dynamodb.send(new DescribeTableCommand({ TableName: FILES_TABLE }), { abortSignal: signal }),
  };
}
