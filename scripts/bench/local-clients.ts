import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { limits } from '#contracts/limits';
import type { ValidatorDeps } from '#domain/validation/validate-upload';
import { S3_CREDENTIALS } from '../../local/environment';
import type { LocalSystem } from '../../local/system';

/** An S3 client for the local system's emulator, or for a proxy in front of it (`endpoint`). */
export function localS3Client(system: LocalSystem, endpoint = system.s3Endpoint): S3Client {
  return new S3Client({
    region: system.region,
    endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The validator's dependencies on a local system, with the S3 client the benchmark measures through. */
export function validatorDepsOf(system: LocalSystem, s3: S3Client): ValidatorDeps {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: system.region,
      endpoint: system.dynamodbEndpoint,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    }),
  );
  return {
    s3,
    bucket: system.bucket,
    files: { db, tableName: system.tableNames.FILES_TABLE as string },
    quotas: { db, tableName: system.tableNames.QUOTAS_TABLE as string },
    links: { db, tableName: system.tableNames.LINKS_TABLE as string },
    shares: { db, tableName: system.tableNames.SHARES_TABLE as string },
    images: { maxPixels: limits.maxImagePixels },
    noncurrentVersionDays: limits.noncurrentVersionDays,
  };
}
