import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { encodeEventKey } from '../../functions/commons/s3-event-keys';
import { handlerEnvironment } from '../../local/environment';
import { system } from './harness';

/**
 * The validator module invoked in the test's own process, for deliveries the emulator would
 * not make (the same event twice, at once, late). It reads its configuration at import, as in
 * Lambda, so the local system's environment is set first.
 */
type ValidatorHandler = (event: unknown, context: Context) => Promise<void>;
let validator: Promise<ValidatorHandler> | undefined;

function loadValidator(): Promise<ValidatorHandler> {
  validator ??= (async () => {
    Object.assign(process.env, handlerEnvironment(system));
    return (await import('../../functions/upload-validator/index')).handler;
  })();
  return validator;
}

/** An ObjectCreated:Put record as S3 sends it to Lambda. */
export function objectCreatedEvent(key: string, size?: number) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: system.region,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'incoming-uploads',
          bucket: { name: system.bucket, arn: `arn:aws:s3:::${system.bucket}` },
          object: { key: encodeEventKey(key), ...(size === undefined ? {} : { size }), sequencer: '0' },
        },
      },
    ],
  };
}

/** Delivers an ObjectCreated event for `key` to the validator, as Lambda would invoke it. */
export async function deliverToValidator(key: string, size?: number, functionName = 'test-validator'): Promise<void> {
  const handler = await loadValidator();
  await handler(objectCreatedEvent(key, size), { awsRequestId: randomUUID(), functionName } as Context);
}
