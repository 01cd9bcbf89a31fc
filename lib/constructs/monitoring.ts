import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  readonly alarmEmail: string;
  readonly retainData: boolean;
}

/**
 * The encrypted topic that carries alarms and "a file arrived through your link" notices,
 * the key for logs and messages at rest, and the alarms: function errors and throttles, API 5xx, and
 * anything in the validator's failure queue.
 */
export class Monitoring extends Construct {
  readonly key: Key;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.key = new Key(this, 'OperationsKey', {
      description: 'docdrop logs, notifications and failure queue',
      enableKeyRotation: true,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // CloudWatch publishes alarms to the encrypted topic with this key.
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    // CloudWatch Logs encrypts the function and access log groups of this account and region with it.
    const { region, account, partition } = Stack.of(this);
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
        },
      }),
    );
    this.topic = new Topic(this, 'Notifications', { masterKey: this.key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
  }

  private alarm(id: string, metric: IMetric, description: string): void {
    new Alarm(this, id, {
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }).addAlarmAction(new SnsAction(this.topic));
  }

  watchFunctions(functions: ReadonlyMap<string, IFunction>): void {
    const period = Duration.minutes(5);
    for (const [name, fn] of functions) {
      this.alarm(`${name}-errors`, fn.metricErrors({ period }), `${name} threw errors`);
      this.alarm(`${name}-throttles`, fn.metricThrottles({ period }), `${name} was throttled`);
    }
  }

  watchApi(stage: HttpStage): void {
    this.alarm('api-5xx', stage.metricServerError({ period: Duration.minutes(5) }), 'The API answered 5xx');
  }

  watchFailureQueue(queue: IQueue): void {
    this.alarm(
      'validator-failures',
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'An upload event could not be validated after retries; see the failure queue',
    );
  }
}
