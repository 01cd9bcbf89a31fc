import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type IFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import type { DynamoAction, FunctionAccess, ObjectAction, PlainSetting } from '#contracts/function-access';
import { type FunctionName, functionTimeoutSeconds } from '#contracts/functions';
import { auditTable, type TableDefinition } from '#contracts/tables';
import { bundlingEnvironment, functionBundlingOf } from './function-bundling';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const BASIC_EXECUTION = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

const s3ActionOf = (action: ObjectAction): string => (action === 'HeadObject' ? 's3:GetObject' : `s3:${action}`);

export interface DocdropFunctionProps {
  /** The function (contracts/functions.ts): its folder under `functions/` holds `index.ts` with the `handler` export. */
  readonly handler: FunctionName;
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group. */
  readonly logsKey: IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly memorySize?: number;
  /**
   * Packages with native binaries, left out of the bundle and installed beside it for Lambda's
   * platform (linux, arm64, glibc) at the version the lock file pins.
   */
  readonly nativeModules?: readonly string[];
}

/** The deployed resources and operator settings that a function's declared access refers to. */
export interface DeclaredResources {
  readonly data: { table(definition: TableDefinition): ITable };
  readonly storage: { readonly bucket: IBucket; readonly key: IKey };
  readonly auth?: { readonly userPool: IUserPool; readonly webClient: { readonly userPoolClientId: string } };
  readonly notifications?: { readonly topic: ITopic; readonly key: IKey };
  /** The validator, for functions that ask it to run, and its (KMS-encrypted) failure queue. */
  readonly validation?: { readonly validator: IFunction; readonly failures: IQueue; readonly key: IKey };
  /** The notice queue the validator sends to, and its key. */
  readonly noticeQueue?: { readonly queue: IQueue; readonly key: IKey };
  /** The SES identity and configuration set e-mails are sent with; absent when the stack has no sender address. */
  readonly mail?: {
    readonly fromAddress: string;
    readonly identityArn: string;
    readonly configurationSetName: string;
    readonly configurationSetArn: string;
  };
  readonly settings: Partial<Record<PlainSetting, string | number>> & { readonly AUDIT_RETENTION_DAYS: number };
}

function pinnedVersion(name: string): string {
  const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

/**
 * Every Lambda of docdrop: Node.js 24 on arm64, an ESM bundle made by esbuild as
 * function-bundling.ts defines it (minified, SDK bundled rather than taken from the runtime), X-Ray tracing, its own log group with a
 * retention. Access is added only through the `use*` methods, each of which grants exactly
 * the listed actions and sets the variable that tells the code where the resource is: a
 * permission never exists without its use, and no variable without its permission.
 */
export class DocdropFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: DocdropFunctionProps) {
    const bundling = functionBundlingOf(PROJECT_ROOT);
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    super(scope, id, {
      entry: join(PROJECT_ROOT, 'functions', props.handler, 'index.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      // One timeout per function, in contracts/functions.ts: the local gateway enforces the same.
      timeout: Duration.seconds(functionTimeoutSeconds[props.handler]),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: { POWERTOOLS_SERVICE_NAME: `docdrop-${props.handler}`, ...bundlingEnvironment(bundling) },
      bundling: {
        format: OutputFormat.ESM,
        minify: bundling.minify,
        sourceMap: bundling.sourceMap,
        sourcesContent: bundling.sourcesContent,
        target: bundling.target,
        mainFields: [...bundling.mainFields],
        banner: bundling.banner,
        esbuildArgs: { '--alias': Object.entries(bundling.alias).map(([from, to]) => `${from}=${to}`) },
        externalModules: [...(props.nativeModules ?? [])],
        ...(props.nativeModules?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                // A package.json of its own makes the asset folder npm's root: without it npm
                // walks up and installs into the project instead.
                afterBundling: (_inputDir: string, outputDir: string) => [
                  `cd "${outputDir}" && echo '{"private":true}' > package.json && npm install --no-save --no-package-lock --no-audit --no-fund --os=linux --cpu=arm64 --libc=glibc ${props.nativeModules
                    ?.map((name) => `${name}@${pinnedVersion(name)}`)
                    .join(' ')} && rm package.json`,
                ],
              },
            }
          : {}),
      },
    });
    NagSuppressions.addResourceSuppressions(
      this,
      [
        {
          id: 'AwsSolutions-IAM4',
          appliesTo: [BASIC_EXECUTION],
          reason: 'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
        },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason: 'X-Ray PutTraceSegments and PutTelemetryRecords take no resource narrower than *.',
        },
        {
          id: 'NIST.800.53.R5-IAMNoInlinePolicy',
          reason:
            'Each function has its own role whose inline policy is generated from its declared access (DocdropFunction.use*): least privilege per function.',
        },
        {
          id: 'NIST.800.53.R5-LambdaInsideVPC',
          reason:
            'The functions reach only AWS APIs (S3, DynamoDB) over TLS with IAM; a VPC would add NAT cost and cold-start time and protect nothing more.',
        },
        {
          id: 'NIST.800.53.R5-LambdaConcurrency',
          reason:
            'Load is bounded by the API stage throttle; reserved concurrency would only take capacity from the account pool.',
        },
        {
          id: 'NIST.800.53.R5-LambdaDLQ',
          reason:
            'API functions are invoked synchronously (the caller sees the error); the S3-triggered validator has an on-failure destination queue instead.',
        },
      ],
      true,
    );
  }

  /**
   * Grants what the function's entry in contracts/function-access.ts declares, and nothing
   * else, setting each variable that names a granted resource or a declared setting.
   */
  useDeclaredAccess(access: FunctionAccess, resources: DeclaredResources): this {
    for (const grant of access.tables ?? []) {
      this.useTable(grant.table, resources.data.table(grant.table), grant.actions, grant.index);
      // Whoever writes the trail says how long each entry is kept.
      if (grant.table === auditTable && grant.actions.includes('PutItem')) {
        this.useSetting('AUDIT_RETENTION_DAYS', String(resources.settings.AUDIT_RETENTION_DAYS));
      }
    }
    for (const grant of access.bucket ?? []) {
      this.useBucketPrefix(resources.storage.bucket, resources.storage.key, grant.prefix, grant.actions, {
        list: grant.list ?? false,
      });
    }
    if (access.owner || access.userDirectory) {
      const { auth } = resources;
      if (!auth) throw new Error(`${this.node.id} verifies owners or looks users up but no user pool was given`);
      if (access.owner) {
        this.useSetting('USER_POOL_ID', auth.userPool.userPoolId);
        this.useSetting('USER_POOL_CLIENT_ID', auth.webClient.userPoolClientId);
      }
      if (access.userDirectory) this.useUserDirectory(auth.userPool);
    }
    if (access.notifications) {
      if (!resources.notifications) throw new Error(`${this.node.id} publishes notices but no topic was given`);
      this.useTopic(resources.notifications.topic, resources.notifications.key);
    }
    if (access.queuesNotices) {
      if (!resources.noticeQueue) throw new Error(`${this.node.id} queues notices but no notice queue was given`);
      this.useNoticeQueue(resources.noticeQueue.queue, resources.noticeQueue.key);
    }
    // Without a sender address the stack sends no e-mail: no permission, no variable.
    if (access.sendsMail && resources.mail) this.useMail(resources.mail);
    if (access.invokesValidator || access.drainsValidatorFailures) {
      const { validation } = resources;
      if (!validation) throw new Error(`${this.node.id} asks the validator to run but no validator was given`);
      if (access.invokesValidator) this.useValidatorInvoke(validation.validator);
      if (access.drainsValidatorFailures) this.useFailureQueue(validation.failures, validation.key);
    }
    for (const setting of access.settings ?? []) {
      const value = resources.settings[setting];
      if (value === undefined) throw new Error(`${this.node.id} needs the setting ${setting}`);
      this.useSetting(setting, String(value));
    }
    return this;
  }

  /** Grants these item actions on the table (and the named index) and says which table it is. */
  useTable(
    definition: TableDefinition,
    table: ITable,
    actions: readonly DynamoAction[],
    index?: string | readonly string[],
  ): this {
    const indexes = index === undefined ? [] : typeof index === 'string' ? [index] : index;
    this.addToRolePolicy(
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn, ...indexes.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
    this.addEnvironment(definition.envVar, table.tableName);
    return this;
  }

  /**
   * Grants object actions under one key prefix of the documents bucket, the KMS use they
   * need, and optionally listing of that prefix (without it, S3 answers a missing key with
   * 403 instead of 404).
   */
  useBucketPrefix(
    bucket: IBucket,
    key: IKey,
    prefix: string,
    actions: readonly ObjectAction[],
    options: { list?: boolean } = {},
  ): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...new Set(actions.map(s3ActionOf))],
        resources: [bucket.arnForObjects(`${prefix}*`)],
      }),
    );
    if (options.list) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
      );
    }
    NagSuppressions.addResourceSuppressions(
      this,
      [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: `/^Resource::<.*>\\/${prefix.replace('/', '')}\\/\\*$/` }],
          reason: `Object keys are server-chosen ids under ${prefix}; the grant covers exactly that prefix and these actions: ${actions.join(', ')}.`,
        },
      ],
      true,
    );
    if (actions.includes('GetObject')) key.grant(this, 'kms:Decrypt');
    if (actions.includes('PutObject')) key.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.addEnvironment('BUCKET_NAME', bucket.bucketName);
    return this;
  }

  /**
   * Lets the function find a user by e-mail in the pool (`ListUsers`, nothing else) and says
   * which pool it is.
   */
  useUserDirectory(userPool: IUserPool): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['cognito-idp:ListUsers'], resources: [userPool.userPoolArn] }),
    );
    this.addEnvironment('USER_POOL_ID', userPool.userPoolId);
    return this;
  }

  /** Lets the function publish to the (KMS-encrypted) topic and says which topic it is. */
  useTopic(topic: ITopic, key: IKey): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    key.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.addEnvironment('NOTIFICATION_TOPIC_ARN', topic.topicArn);
    return this;
  }

  /**
   * Lets the function invoke the validator (asynchronously, for an upload whose event was lost)
   * and says which function it is: that one function, not its versions or aliases.
   */
  useValidatorInvoke(validator: IFunction): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [validator.functionArn] }),
    );
    this.addEnvironment('VALIDATOR_FUNCTION_NAME', validator.functionName);
    return this;
  }

  /** Lets the function send to the (KMS-encrypted) notice queue, nothing else, and says which queue it is. */
  useNoticeQueue(queue: IQueue, key: IKey): this {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    key.grant(this, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.addEnvironment('NOTICE_QUEUE_URL', queue.queueUrl);
    return this;
  }

  /**
   * Lets the function send e-mail through SES: SendEmail on the sender's identity and the
   * configuration set it must name, and only from the one sender address.
   */
  useMail(mail: NonNullable<DeclaredResources['mail']>): this {
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [mail.identityArn, mail.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': mail.fromAddress } },
      }),
    );
    this.addEnvironment('MAIL_FROM_ADDRESS', mail.fromAddress);
    this.addEnvironment('MAIL_CONFIGURATION_SET', mail.configurationSetName);
    return this;
  }

  /** Lets the function read and delete the messages of the validator's failure queue, to redrive them. */
  useFailureQueue(queue: IQueue, key: IKey): this {
    this.addToRolePolicy(
      new PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [queue.queueArn] }),
    );
    key.grant(this, 'kms:Decrypt');
    this.addEnvironment('VALIDATOR_FAILURES_QUEUE_URL', queue.queueUrl);
    return this;
  }

  /** Sets a plain setting; for values that carry no permission. */
  useSetting(
    name: PlainSetting | 'AUDIT_RETENTION_DAYS' | 'USER_POOL_ID' | 'USER_POOL_CLIENT_ID',
    value: string,
  ): this {
    this.addEnvironment(name, value);
    return this;
  }
}
