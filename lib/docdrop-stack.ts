import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { digestFunction, noticeSenderFunction, sweepFunction, validatorFunction } from '#contracts/functions';
import { Api } from './constructs/api';
import { Auth } from './constructs/auth';
import { Data } from './constructs/data';
import { Monitoring } from './constructs/monitoring';
import { Notices } from './constructs/notices';
import { Storage } from './constructs/storage';
import { Validation } from './constructs/validation';
import { Web } from './constructs/web';
import type { Settings } from './settings';

export interface DocdropStackProps extends StackProps {
  readonly settings: Settings;
}

/** Only wires: each concern is a construct of its own. */
export class DocdropStack extends Stack {
  readonly storage: Storage;
  readonly data: Data;
  readonly auth: Auth;
  readonly api: Api;
  readonly validation: Validation;
  readonly notices: Notices;
  readonly monitoring: Monitoring;
  readonly web: Web;

  constructor(scope: Construct, id: string, props: DocdropStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const logRetention = retentionOf(settings.logRetentionDays);
    const { retainData } = settings;

    this.storage = new Storage(this, 'Storage', {
      noncurrentVersionDays: settings.noncurrentVersionDays,
      quarantineDays: settings.quarantineDays,
      retainData,
    });
    this.data = new Data(this, 'Data', { retainData });
    this.auth = new Auth(this, 'Auth', {
      selfSignUp: settings.selfSignUp,
      retainData,
      requireMfa: settings.requireMfa,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', { alarmEmail: settings.alarmEmail, retainData });
    this.web = new Web(this, 'Web', {
      auth: this.auth,
      documentsOrigin: this.storage.browserOrigin,
      accessLogs: this.storage.accessLogs,
      priceClass: settings.priceClass,
      maxFileBytes: settings.maxFileBytes,
      logRetention,
      logsKey: this.monitoring.key,
      ...(settings.webDomainName
        ? { customDomain: { domainName: settings.webDomainName, certificateArn: settings.webCertificateArn } }
        : {}),
      retainData,
    });
    // The app's own address first: link URLs point there and browsers upload from there.
    this.storage.allowBrowsersFrom([this.web.url, ...settings.webOrigins]);
    this.notices = new Notices(this, 'Notices', {
      data: this.data,
      storage: this.storage,
      userPool: this.auth.userPool,
      webClient: this.auth.webClient,
      operationsKey: this.monitoring.key,
      notifications: this.monitoring.topic,
      mailFromAddress: settings.mailFromAddress,
      webUrl: this.web.url,
      auditRetentionDays: settings.auditRetentionDays,
      logRetention,
      retainData,
    });
    this.validation = new Validation(this, 'Validation', {
      storage: this.storage,
      data: this.data,
      operationsKey: this.monitoring.key,
      noticeQueue: this.notices.queue,
      maxImagePixels: settings.maxImagePixels,
      auditRetentionDays: settings.auditRetentionDays,
      noncurrentVersionDays: settings.noncurrentVersionDays,
      sweepIntervalMinutes: settings.sweepIntervalMinutes,
      malwareScan: settings.malwareScan,
      quarantineDays: settings.quarantineDays,
      logRetention,
      retainData,
    });
    this.api = new Api(this, 'Api', {
      auth: this.auth,
      data: this.data,
      storage: this.storage,
      validation: this.validation,
      webUrl: this.web.url,
      corsOrigins: settings.webOrigins,
      maxFileBytes: settings.maxFileBytes,
      defaultQuotaBytes: settings.defaultQuotaBytes,
      auditRetentionDays: settings.auditRetentionDays,
      stageName: settings.stageName,
      throttleRatePerSecond: settings.throttleRatePerSecond,
      throttleBurst: settings.throttleBurst,
      logRetention,
      logsKey: this.monitoring.key,
      retainData,
    });
    this.web.serveApi(this.api);

    this.monitoring.watchFunctions(
      new Map([
        ...this.api.functions,
        [validatorFunction, this.validation.validator],
        [sweepFunction, this.validation.sweep],
        [noticeSenderFunction, this.notices.sender],
        [digestFunction, this.notices.digests],
      ]),
    );
    this.monitoring.watchApi(this.api.stage);
    this.monitoring.watchFailureQueue(this.validation.failures);
    this.monitoring.watchNoticeDeadLetters(this.notices.deadLetters);

    new CfnOutput(this, 'WebUrl', {
      value: this.web.url,
      description: 'The web app: owners at /, clients at /u/#<token>',
    });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.web.distribution.distributionDomainName,
      description: 'Where a custom web domain’s DNS record (CNAME or alias) points',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.webClient.userPoolClientId });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'NotificationTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'SweepFunctionName', {
      value: this.validation.sweep.functionName,
      description: 'The upload sweep; run it now with: aws lambda invoke --function-name <this> out.json',
    });
  }
}

/** CloudWatch accepts only certain retention periods: the smallest one at least as long as asked. */
function retentionOf(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((value): value is number => typeof value === 'number' && value > 0)
    .sort((a, b) => a - b);
  return (allowed.find((value) => value >= days) ?? RetentionDays.INFINITE) as RetentionDays;
}
