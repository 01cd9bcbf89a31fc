import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { CallBudget } from './call-bounds';
import { boundedByRequest, boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import { readConfig } from './config';
import { encodeEventKey } from './s3-event-keys';

/** A one-record ObjectCreated event for `key`, shaped as S3 sends it to the validator. */
export function objectCreatedEvent(bucket: string, key: string, now = new Date()) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        eventTime: now.toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeEventKey(key) },
        },
      },
    ],
  };
}

/**
 * Asks the validator to run on one incoming object, as if its S3 event had been delivered:
 * an asynchronous Invoke (InvocationType Event), so Lambda queues, retries and hands failures
 * to the validator's failure destination like any event. For uploads whose event was lost.
 */
export function validationRequesterFromEnvironment(
  bucket: string,
  budget?: CallBudget,
): (key: string) => Promise<void> {
  const { AWS_REGION, VALIDATOR_FUNCTION_NAME, LAMBDA_ENDPOINT } = readConfig(
    'AWS_REGION',
    'VALIDATOR_FUNCTION_NAME',
    'LAMBDA_ENDPOINT',
  );
  const lambda = boundedByRequest(
    traced(
      new LambdaClient({
        region: AWS_REGION,
        ...boundedCalls(budget),
        ...(LAMBDA_ENDPOINT ? { endpoint: LAMBDA_ENDPOINT } : {}),
      }),
    ),
  );
  return async (key) => {
    await lambda.send(
      new InvokeCommand({
        FunctionName: VALIDATOR_FUNCTION_NAME,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(objectCreatedEvent(bucket, key))),
      }),
    );
  };
}

/** Asking the validator again, and after how long an upload still pending has lost its event, from this function's environment. */
export function revalidationFromEnvironment(bucket: string, budget?: CallBudget) {
  const { LOST_EVENT_SECONDS } = readConfig('LOST_EVENT_SECONDS');
  return {
    requestValidation: validationRequesterFromEnvironment(bucket, budget),
    lostEventAfterMs: LOST_EVENT_SECONDS * 1000,
  };
}
