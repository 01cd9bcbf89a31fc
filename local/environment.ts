import { type FunctionName, validatorFunction } from '#contracts/functions';
/** Access keys the S3 emulator knows; it checks every SigV4 signature against them. */
export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A function's name in the local system: in its Lambda context, its logs and the emulated Invoke API. */
export const localFunctionName = (name: FunctionName): string => `docdrop-local-${name}`;

/** The validator's name locally: what the emulated Invoke API answers to. */
export const LOCAL_VALIDATOR_NAME = localFunctionName(validatorFunction);

/** Where a running local system is: what its handlers need to know, and what tests are told. */
export interface SystemAddresses {
  readonly region: string;
  readonly apiUrl: string;
  /** The emulated Lambda Invoke API (local/lambda-invoke.ts), for asking the validator to run. */
  readonly lambdaEndpoint: string;
  readonly s3Endpoint: string;
  readonly dynamodbEndpoint: string;
  readonly cognitoEndpoint: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly bucket: string;
  readonly tableNames: Record<string, string>;
  /** The local notice queue (local/notice-queue.ts): its SQS API and the queue's URL. */
  readonly sqsEndpoint: string;
  readonly noticeQueueUrl: string;
  /** Where e-mails are written as `.eml` files instead of sent (`<dataDir>/mail`). */
  readonly mailDir: string;
  /** The malware gate the validator applies (`docdrop:malwareScan`); locally the stand-in scanner answers. */
  readonly malwareScan?: 'guardduty' | 'off';
}

/**
 * The environment every function gets locally: the variables Lambda would have, with the
 * emulator endpoints. Tests that invoke a handler module in their own process use it too.
 */
export function handlerEnvironment(system: SystemAddresses): Record<string, string> {
  return {
    AWS_REGION: system.region,
    AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
    ...system.tableNames,
    BUCKET_NAME: system.bucket,
    USER_POOL_ID: system.userPoolId,
    USER_POOL_CLIENT_ID: system.userPoolClientId,
    WEB_BASE_URL: system.apiUrl,
    S3_ENDPOINT: system.s3Endpoint,
    DYNAMODB_ENDPOINT: system.dynamodbEndpoint,
    COGNITO_JWKS_URI: `${system.cognitoEndpoint}/${system.userPoolId}/.well-known/jwks.json`,
    COGNITO_ENDPOINT: system.cognitoEndpoint,
    LAMBDA_ENDPOINT: system.lambdaEndpoint,
    VALIDATOR_FUNCTION_NAME: LOCAL_VALIDATOR_NAME,
    SQS_ENDPOINT: system.sqsEndpoint,
    NOTICE_QUEUE_URL: system.noticeQueueUrl,
    LOCAL_MAIL_DIR: system.mailDir,
    MALWARE_SCAN: system.malwareScan ?? 'guardduty',
  };
}
