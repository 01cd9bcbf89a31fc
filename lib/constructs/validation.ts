import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { S3EventSourceV2 } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { bucketLayout } from '#contracts/bucket';
import { functionAccess } from '#contracts/function-access';
import { sweepFunction, validatorFunction } from '#contracts/functions';
import type { MalwareScanMode } from '#contracts/malware-scan';
import type { Data } from './data';
import { DocdropFunction } from './docdrop-function';
import { MalwareProtection } from './malware-protection';
import type { Storage } from './storage';

export interface ValidationProps {
  readonly storage: Storage;
  readonly data: Data;
  readonly operationsKey: IKey;
  /** Where the validator sends arrival notices, for the notice sender (constructs/notices.ts). */
  readonly noticeQueue: IQueue;
  readonly logRetention: RetentionDays;
  readonly maxImagePixels: number;
  readonly auditRetentionDays: number;
  /** How long the bucket keeps an old version: replaced content counts against the quota until then. */
  readonly noncurrentVersionDays: number;
  /** Minutes between runs of the upload sweep. */
  readonly sweepIntervalMinutes: number;
  /** `guardduty`: GuardDuty scans incoming/ and its result drives the release; `off`: the type check alone decides. */
  readonly malwareScan: MalwareScanMode;
  /** Days a malware rejection's or held file's bytes are kept under quarantine/. */
  readonly quarantineDays: number;
  readonly retainData: boolean;
}

/**
 * The validator, run by S3 for every object created under `incoming/`. Lambda retries a
 * failed event twice; what still fails lands in an encrypted queue, which the upload sweep
 * (run on a schedule) redrives to the validator. The sweep also gives up uploads never sent
 * and asks the validator again for arrived ones whose event was lost.
 */
export class Validation extends Construct {
  readonly validator: DocdropFunction;
  readonly failures: Queue;
  readonly sweep: DocdropFunction;
  /** With `docdrop:malwareScan` `guardduty`: the GuardDuty plan and the rule sending its results here. */
  readonly malwareProtection?: MalwareProtection;
  /** What the functions that ask the validator to run are given (see DocdropFunction.useDeclaredAccess). */
  readonly resources: { readonly validator: DocdropFunction; readonly failures: Queue; readonly key: IKey };

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
        reason:
          'This queue is itself the failure destination of the validator; its one consumer, the sweep, redrives each message to the validator and leaves any it cannot read for an operator.',
      },
    ]);

    // Type detection reads 4 KiB; the copy to the released area is done by S3 (in parts above
    // 5 GiB), and a declared whole-file SHA-256 is streamed in constant memory. The memory is
    // for the image pipeline, which decodes images (at most 100 MiB, 50 MP) here; the timeout
    // (contracts/functions.ts, 15 minutes) for the largest hashes and copies.
    this.validator = new DocdropFunction(this, 'Validator', {
      handler: validatorFunction,
      logRetention: props.logRetention,
      logsKey: props.operationsKey,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      memorySize: 1024,
      nativeModules: ['sharp'],
    }).useDeclaredAccess(functionAccess[validatorFunction], {
      data,
      storage,
      noticeQueue: { queue: props.noticeQueue, key: props.operationsKey },
      settings: {
        AUDIT_RETENTION_DAYS: props.auditRetentionDays,
        NONCURRENT_VERSION_DAYS: props.noncurrentVersionDays,
        MAX_IMAGE_PIXELS: props.maxImagePixels,
        MALWARE_SCAN: props.malwareScan,
        QUARANTINE_DAYS: props.quarantineDays,
      },
    });
    if (props.malwareScan === 'guardduty') {
      this.malwareProtection = new MalwareProtection(this, 'MalwareProtection', {
        bucket: storage.bucket,
        key: storage.key,
        validator: this.validator,
      });
    }

    this.resources = { validator: this.validator, failures: this.failures, key: props.operationsKey };
    this.sweep = new DocdropFunction(this, 'Sweep', {
      handler: sweepFunction,
      logRetention: props.logRetention,
      logsKey: props.operationsKey,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    }).useDeclaredAccess(functionAccess[sweepFunction], {
      data,
      storage,
      validation: this.resources,
      settings: { AUDIT_RETENTION_DAYS: props.auditRetentionDays },
    });
    new Rule(this, 'SweepSchedule', {
      schedule: Schedule.rate(Duration.minutes(props.sweepIntervalMinutes)),
      // A missed run is made up by the next one: no retries piling up behind a slow sweep.
      targets: [new LambdaFunction(this.sweep, { retryAttempts: 0 })],
    });

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
