import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { S3EventSourceV2 } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { bucketLayout } from '../definitions/bucket';
import { validatorHandler } from '../definitions/routes';
import { auditTable, filesTable, quotasTable } from '../definitions/tables';
import type { Data } from './data';
import { DocdropFunction } from './docdrop-function';
import type { Storage } from './storage';

export interface ValidationProps {
  readonly storage: Storage;
  readonly data: Data;
  readonly operationsKey: IKey;
  /** Where "a file arrived through your link" notices are published. */
  readonly notifications: ITopic;
  readonly logRetention: RetentionDays;
  readonly maxImagePixels: number;
  readonly auditRetentionDays: number;
  readonly retainData: boolean;
}

/**
 * The validator, run by S3 for every object created under `incoming/`. Lambda retries a
 * failed event twice; what still fails lands in an encrypted queue for an operator to see.
 */
export class Validation extends Construct {
  readonly validator: DocdropFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, props: ValidationProps) {
    super(scope, id);
    const { storage, data } = props;
    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.operationsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    NagSuppressions.addResourceSuppressions(this.failures, [
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the failure destination of the validator; it has no consumer that could fail.',
      },
    ]);

    // Type detection reads 4 KiB; the copy to the released area is done by S3. Memory and
    // time leave room for the image pipeline, which decodes images here.
    this.validator = new DocdropFunction(this, 'Validator', {
      handler: validatorHandler,
      logRetention: props.logRetention,
      logsKey: props.operationsKey,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      memorySize: 1024,
      timeout: Duration.minutes(2),
      nativeModules: ['sharp'],
    })
      .useTable(filesTable, data.table(filesTable), ['GetItem', 'UpdateItem'])
      .useTable(auditTable, data.table(auditTable), ['PutItem'])
      .useSetting('AUDIT_RETENTION_DAYS', String(props.auditRetentionDays))
      // Settling an upload closes its reservation and records what the released file counts, in one transaction.
      .useTable(quotasTable, data.table(quotasTable), ['UpdateItem', 'PutItem'])
      .useTopic(props.notifications, props.operationsKey)
      .useSetting('MAX_IMAGE_PIXELS', String(props.maxImagePixels))
      .useBucketPrefix(storage.bucket, storage.key, bucketLayout.incomingPrefix, ['GetObject', 'DeleteObject'], {
        list: true,
      })
      .useBucketPrefix(storage.bucket, storage.key, bucketLayout.filesPrefix, [
        'PutObject',
        'PutObjectTagging',
        'DeleteObject',
      ])
      .useBucketPrefix(storage.bucket, storage.key, bucketLayout.thumbsPrefix, [
        'PutObject',
        'PutObjectTagging',
        'DeleteObject',
      ])
      .useBucketPrefix(storage.bucket, storage.key, bucketLayout.profilesPrefix, ['PutObject', 'PutObjectTagging']);

    this.validator.configureAsyncInvoke({
      retryAttempts: 2,
      onFailure: sendOnlyQueueDestination(this.failures, props.operationsKey),
    });
    this.validator.addEventSource(
      new S3EventSourceV2(storage.bucket, {
        events: [EventType.OBJECT_CREATED],
        filters: [{ prefix: bucketLayout.incomingPrefix }],
      }),
    );
    // CDK's own singleton that writes the bucket notification configuration at deploy time,
    // and the policy it attaches beside the bucket.
    const notifications = storage.bucket.node.tryFindChild('Notifications');
    if (notifications) {
      NagSuppressions.addResourceSuppressions(
        notifications,
        [
          {
            id: 'NIST.800.53.R5-IAMNoInlinePolicy',
            reason: 'CDK-generated policy of its bucket-notification handler: s3:PutBucketNotification on this bucket.',
          },
        ],
        true,
      );
    }
    for (const child of Stack.of(this).node.children) {
      if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
      NagSuppressions.addResourceSuppressions(
        child,
        [
          {
            id: 'AwsSolutions-IAM4',
            reason:
              'CDK-provided deploy-time handler for bucket notifications; it only writes its logs with this policy.',
          },
          {
            id: 'AwsSolutions-IAM5',
            reason: 'CDK-provided handler: s3:PutBucketNotification on the bucket, created by CDK and not editable.',
          },
          {
            id: 'NIST.800.53.R5-IAMNoInlinePolicy',
            reason: 'CDK-provided deploy-time handler; its policy is generated by CDK.',
          },
        ],
        true,
      );
    }
  }
}

/**
 * An on-failure destination that grants only what Lambda uses to deliver to an encrypted
 * queue: SendMessage, and a data key from the queue's key. (SqsDestination also grants
 * GetQueueAttributes, GetQueueUrl, kms:Encrypt and kms:ReEncrypt*, which delivery does not use.)
 */
function sendOnlyQueueDestination(queue: IQueue, key: IKey): IDestination {
  return {
    bind: (_scope, fn) => {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      key.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
      return { destination: queue.queueArn };
    },
  };
}
