import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { boundedByRequest, boundedCalls, type CallBudget } from './call-bounds';
import { traced } from './client-tracing';
import { readConfig } from './config';
import { createUrlSigner } from './url-signer';

/**
 * SDK clients, created once per module scope by the handlers. The emulator endpoints are
 * the only difference between the local system and Lambda.
 */
export function createS3Client(budget?: CallBudget): S3Client {
  const { AWS_REGION, S3_ENDPOINT } = readConfig('AWS_REGION', 'S3_ENDPOINT');
  return boundedByRequest(
    traced(
      new S3Client({
        region: AWS_REGION,
        ...boundedCalls(budget),
        // Without these, SDK v3 >= 3.729 signs an empty-body CRC32 into presigned PUT URLs and
        // browser uploads fail (aws-sdk-js-v3 #6810). The SHA-256 we sign is the checksum that counts.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...(S3_ENDPOINT ? { endpoint: S3_ENDPOINT, forcePathStyle: true } : {}),
      }),
    ),
  );
}

export function createDocumentClient(budget?: CallBudget): DynamoDBDocumentClient {
  const { AWS_REGION, DYNAMODB_ENDPOINT } = readConfig('AWS_REGION', 'DYNAMODB_ENDPOINT');
  const client = traced(
    new DynamoDBClient({
      region: AWS_REGION,
      ...boundedCalls(budget),
      ...(DYNAMODB_ENDPOINT ? { endpoint: DYNAMODB_ENDPOINT } : {}),
    }),
  );
  return boundedByRequest(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
}

/** The bucket and files table that the storage handlers share, from this function's environment. */
export function storageFromEnvironment(db: DynamoDBDocumentClient, budget?: CallBudget) {
  const { BUCKET_NAME, FILES_TABLE } = readConfig('BUCKET_NAME', 'FILES_TABLE');
  return { s3: createS3Client(budget), bucket: BUCKET_NAME, files: { db, tableName: FILES_TABLE } };
}

/**
 * The same for handlers that only sign URLs: a signer instead of an S3Client, so their bundle
 * carries no S3 client.
 */
export function signingStorageFromEnvironment(db: DynamoDBDocumentClient) {
  const { BUCKET_NAME, FILES_TABLE } = readConfig('BUCKET_NAME', 'FILES_TABLE');
  return { signer: createUrlSigner(), bucket: BUCKET_NAME, files: { db, tableName: FILES_TABLE } };
}

/** The audit table and how long its entries are kept, from this function's environment. */
export function auditLogFromEnvironment(db: DynamoDBDocumentClient) {
  const { AUDIT_TABLE, AUDIT_RETENTION_DAYS } = readConfig('AUDIT_TABLE', 'AUDIT_RETENTION_DAYS');
  return { db, tableName: AUDIT_TABLE, retentionDays: AUDIT_RETENTION_DAYS };
}

/** The quotas table, from this function's environment. */
export function quotasFromEnvironment(db: DynamoDBDocumentClient) {
  const { QUOTAS_TABLE } = readConfig('QUOTAS_TABLE');
  return { db, tableName: QUOTAS_TABLE };
}
