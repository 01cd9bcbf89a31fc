import { Annotations, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  DkimIdentity,
  EmailIdentity,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionAccess } from '#contracts/function-access';
import {
  digestFunction,
  digestHourUtc,
  functionTimeoutSeconds,
  noticeMaxReceives,
  noticeSenderFunction,
} from '#contracts/functions';
import type { Data } from './data';
import { type DeclaredResources, DocdropFunction } from './docdrop-function';
import type { Storage } from './storage';

export interface NoticesProps {
  readonly data: Data;
  readonly storage: Storage;
  readonly userPool: IUserPool;
  readonly webClient: { readonly userPoolClientId: string };
  readonly operationsKey: IKey;
  /** The operators' topic: the sender publishes every notice there too. */
  readonly notifications: ITopic;
  /** `docdrop:mailFromAddress`; empty: no SES identity and no e-mail. */
  readonly mailFromAddress: string;
  readonly webUrl: string;
  readonly auditRetentionDays: number;
  readonly logRetention: RetentionDays;
  readonly retainData: boolean;
}

/**
 * Arrival notices off the validator's path: the validator sends each to an encrypted queue;
 * `send-notices` (SQS event source, partial batch failures) e-mails the owner through SES and
 * publishes to the operators' topic; a notice that fails every receive lands in a dead-letter
 * queue (alarmed by Monitoring). `send-digests` runs once a day for owners who chose `daily`.
 */
export class Notices extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly sender: DocdropFunction;
  readonly digests: DocdropFunction;
  readonly identity?: EmailIdentity;
  readonly configurationSet?: ConfigurationSet;

  constructor(scope: Construct, id: string, props: NoticesProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const encrypted = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.operationsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    };
    this.deadLetters = new Queue(this, 'DeadLetters', encrypted);
    this.queue = new Queue(this, 'Queue', {
      ...encrypted,
      // AWS's advice for an SQS event source: six times the function's timeout, so a batch
      // retried within one invocation's retries is not received twice meanwhile.
      visibilityTimeout: Duration.seconds(6 * functionTimeoutSeconds[noticeSenderFunction]),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: noticeMaxReceives },
    });

    if (props.mailFromAddress) {
      const domain = props.mailFromAddress.split('@')[1] as string;
      this.configurationSet = new ConfigurationSet(this, 'Mail', {
        tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
        suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        reputationMetrics: true,
      });
      this.identity = new EmailIdentity(this, 'Identity', {
        identity: Identity.domain(domain),
        dkimSigning: true,
        dkimIdentity: DkimIdentity.easyDkim(),
        configurationSet: this.configurationSet,
      });
    } else {
      Annotations.of(this).addWarning(
        'docdrop:mailFromAddress is empty: owners get no e-mail notices (the activity trail and the notifications topic still have them). Set it to an address on a domain you control to send them.',
      );
    }

    const resources: DeclaredResources = {
      data: props.data,
      storage: props.storage,
      auth: { userPool: props.userPool, webClient: props.webClient },
      notifications: { topic: props.notifications, key: props.operationsKey },
      ...(this.identity && this.configurationSet
        ? {
            mail: {
              fromAddress: props.mailFromAddress,
              identityArn: this.identity.emailIdentityArn,
              configurationSetName: this.configurationSet.configurationSetName,
              configurationSetArn: Stack.of(this).formatArn({
                service: 'ses',
                resource: 'configuration-set',
                resourceName: this.configurationSet.configurationSetName,
              }),
            },
          }
        : {}),
      settings: { AUDIT_RETENTION_DAYS: props.auditRetentionDays, WEB_BASE_URL: props.webUrl },
    };
    const functionProps = { logRetention: props.logRetention, logsKey: props.operationsKey, removalPolicy };
    this.sender = new DocdropFunction(this, 'Sender', { ...functionProps, handler: noticeSenderFunction });
    this.sender.useDeclaredAccess(functionAccess[noticeSenderFunction], resources);
    // Grants ReceiveMessage, DeleteMessage, GetQueueAttributes and kms:Decrypt on this queue alone.
    this.sender.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));

    this.digests = new DocdropFunction(this, 'Digests', { ...functionProps, handler: digestFunction });
    this.digests.useDeclaredAccess(functionAccess[digestFunction], resources);
    new Rule(this, 'DigestSchedule', {
      schedule: Schedule.cron({ minute: '0', hour: String(digestHourUtc) }),
      // A failed owner fails the run; EventBridge tries again, and the claims keep the sent ones sent.
      targets: [new LambdaFunction(this.digests, { retryAttempts: 2 })],
    });
  }
}
