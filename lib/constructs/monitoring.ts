import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type DocdropMetric, docdropMetrics, metricsNamespace, metricsService } from '#contracts/metrics';

const PERIOD = Duration.minutes(5);
const WIDE = 12;

export interface MonitoringProps {
  readonly alarmEmail: string;
  readonly retainData: boolean;
}

/**
 * The encrypted topic that carries alarms and "a file arrived through your link" notices,
 * the key for logs and messages at rest, the alarms (function errors and throttles, API 5xx,
 * anything in the validator's failure queue) and the operator's dashboard: docdrop's own metrics
 * (contracts/metrics.ts), the functions' errors and durations, and the API's answers and latency.
 */
export class Monitoring extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly dashboard: Dashboard;

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
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.showUploadMetrics();
  }

  /** A metric of contracts/metrics.ts, as the functions print it (one `service` dimension). */
  private docdropMetric(metric: DocdropMetric, statistic: string = Stats.SUM): Metric {
    const { name, description } = docdropMetrics[metric];
    return new Metric({
      namespace: metricsNamespace,
      metricName: name,
      dimensionsMap: { service: metricsService },
      statistic,
      period: PERIOD,
      label: description,
    });
  }

  /** Every value of a broken-down metric, one line each (the values are codes, so the lines are few). */
  private brokenDown(metric: 'uploadsRejected' | 'requestsRefused'): MathExpression {
    const { name, breakdown } = docdropMetrics[metric];
    return new MathExpression({
      expression: `SEARCH('{${metricsNamespace},service,${breakdown}} MetricName="${name}"', 'Sum', ${PERIOD.toSeconds()})`,
      usingMetrics: {},
      label: '',
      period: PERIOD,
    });
  }

  private showUploadMetrics(): void {
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `## Uploads\nCounted by the functions (namespace \`${metricsNamespace}\`), per ${PERIOD.toMinutes()} minutes.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Uploads signed, released, and link uses',
        left: [
          this.docdropMetric('uploadsSigned'),
          this.docdropMetric('uploadsReleased'),
          this.docdropMetric('linkUses'),
        ],
        width: WIDE,
      }),
      new GraphWidget({
        title: 'Uploads rejected, by reason',
        left: [this.brokenDown('uploadsRejected')],
        width: WIDE,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Requests refused, by code; quota refusals',
        left: [this.brokenDown('requestsRefused')],
        right: [this.docdropMetric('quotaRefusals')],
        width: WIDE,
      }),
      new GraphWidget({
        title: 'Validator duration per upload (ms)',
        left: [
          this.docdropMetric('validationDuration', Stats.p(50)).with({ label: 'p50' }),
          this.docdropMetric('validationDuration', Stats.p(95)).with({ label: 'p95' }),
        ],
        width: WIDE,
      }),
    );
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
    const period = PERIOD;
    for (const [name, fn] of functions) {
      this.alarm(`${name}-errors`, fn.metricErrors({ period }), `${name} threw errors`);
      this.alarm(`${name}-throttles`, fn.metricThrottles({ period }), `${name} was throttled`);
    }
    const each = [...functions];
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: each.map(([name, fn]) => fn.metricErrors({ period, label: name })),
        width: WIDE,
      }),
      new GraphWidget({
        title: 'Function duration p95 (ms)',
        left: each.map(([name, fn]) => fn.metricDuration({ period, statistic: Stats.p(95), label: name })),
        width: WIDE,
      }),
    );
  }

  watchApi(stage: HttpStage): void {
    this.alarm('api-5xx', stage.metricServerError({ period: PERIOD }), 'The API answered 5xx');
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API answers 4xx and 5xx',
        left: [
          stage.metricClientError({ period: PERIOD, statistic: Stats.SUM, label: '4xx' }),
          stage.metricServerError({ period: PERIOD, statistic: Stats.SUM, label: '5xx' }),
        ],
        width: WIDE,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: [
          stage.metricLatency({ period: PERIOD, statistic: Stats.p(50), label: 'p50' }),
          stage.metricLatency({ period: PERIOD, statistic: Stats.p(95), label: 'p95' }),
        ],
        width: WIDE,
      }),
    );
  }

  watchFailureQueue(queue: IQueue): void {
    this.alarm(
      'validator-failures',
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'An upload event could not be validated after retries; see the failure queue',
    );
  }

  /** A notice in the dead-letter queue failed every receive: its owner was not told (the trail still has it). */
  watchNoticeDeadLetters(queue: IQueue): void {
    this.alarm(
      'notice-dead-letters',
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'An arrival notice could not be sent after every retry; see the notice dead-letter queue',
    );
  }
}
