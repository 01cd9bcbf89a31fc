import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { noticeMaxReceives } from '#contracts/functions';
import {
  asList,
  type BuiltStack,
  buildStack,
  defaultStack,
  functionsByHandler,
  logicalIdOf,
  type PolicyStatementJson,
  roleStatements,
} from './support';

/** The stack with a sender address: an SES identity for its domain, and e-mail granted. */
let mailBuild: BuiltStack | undefined;
const mailStack = (): BuiltStack => {
  mailBuild ??= buildStack({ 'docdrop:mailFromAddress': 'notices@mail.example.com' });
  return mailBuild;
};

type Resource = { Type: string; Properties: any };
const resourcesOf = (built: BuiltStack, type: string) =>
  Object.values(built.template.findResources(type)) as Resource[];
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

const sesStatements = (built: BuiltStack, handler: string): PolicyStatementJson[] =>
  roleStatements(built.template, functionsByHandler(built.stack).get(handler) as string).filter((statement) =>
    asList(statement.Action).some((action) => action.startsWith('ses:')),
  );

const PACKS = ['AwsSolutions-', 'NIST.800.53.R5-'] as const;

describe('the notice queue', () => {
  it('is encrypted with the operations key, refuses plain HTTP, and hands a notice that fails every receive to a dead-letter queue', () => {
    // prepare
    const built = defaultStack();
    const { stack } = built;

    // act
    const queue = built.template.toJSON().Resources[logicalIdOf(stack.notices.queue)].Properties;
    const deadLetters = built.template.toJSON().Resources[logicalIdOf(stack.notices.deadLetters)].Properties;

    // assess
    expect(queue.KmsMasterKeyId).toEqual(arnOf(logicalIdOf(stack.monitoring.key)));
    expect(deadLetters.KmsMasterKeyId).toEqual(arnOf(logicalIdOf(stack.monitoring.key)));
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: arnOf(logicalIdOf(stack.notices.deadLetters)),
      maxReceiveCount: noticeMaxReceives,
    });
    // Six times the sender's 60 s timeout.
    expect(queue.VisibilityTimeout).toBe(360);
    const policies = resourcesOf(built, 'AWS::SQS::QueuePolicy').map((policy) => policy.Properties.PolicyDocument);
    const deniesPlainHttp = (queueId: string) =>
      policies.some((document) =>
        document.Statement.some(
          (statement: PolicyStatementJson & { Condition?: any }) =>
            statement.Effect === 'Deny' &&
            statement.Condition?.Bool?.['aws:SecureTransport'] === 'false' &&
            asList(statement.Resource).some((resource) => Match.objectEquals(arnOf(queueId)).test(resource).isSuccess),
        ),
      );
    expect(deniesPlainHttp(logicalIdOf(stack.notices.queue))).toBe(true);
    expect(deniesPlainHttp(logicalIdOf(stack.notices.deadLetters))).toBe(true);
  });

  it('raises an alarm as soon as the dead-letter queue holds a notice', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const alarms = resourcesOf({ stack, template } as BuiltStack, 'AWS::CloudWatch::Alarm').filter((alarm) =>
      (alarm.Properties.Dimensions ?? []).some(
        (dimension: { Value: unknown }) =>
          Match.objectEquals({ 'Fn::GetAtt': [logicalIdOf(stack.notices.deadLetters), 'QueueName'] }).test(
            dimension.Value,
          ).isSuccess,
      ),
    );

    // assess
    expect(alarms.map((alarm) => alarm.Properties)).toEqual([
      expect.objectContaining({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: logicalIdOf(stack.monitoring.topic) }],
      }),
    ]);
  });

  it('feeds send-notices in batches of 10 with partial batch failures reported', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const mappings = resourcesOf({ stack, template } as BuiltStack, 'AWS::Lambda::EventSourceMapping');

    // assess
    expect(mappings.map((mapping) => mapping.Properties)).toEqual([
      {
        BatchSize: 10,
        EventSourceArn: arnOf(logicalIdOf(stack.notices.queue)),
        FunctionName: { Ref: logicalIdOf(stack.notices.sender) },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    ]);
  });

  it('runs send-digests once a day at 07:00 UTC', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const rules = resourcesOf({ stack, template } as BuiltStack, 'AWS::Events::Rule').filter((rule) =>
      rule.Properties.Targets.some(
        (target: { Arn: unknown }) =>
          Match.objectEquals(arnOf(logicalIdOf(stack.notices.digests))).test(target.Arn).isSuccess,
      ),
    );

    // assess
    expect(rules.map((rule) => rule.Properties.ScheduleExpression)).toEqual(['cron(0 7 * * ? *)']);
  });
});

describe('e-mail through SES', () => {
  it('without docdrop:mailFromAddress: no identity, no SES permission or sender variable, and synth warns', () => {
    // prepare
    const built = defaultStack();

    // act
    const warnings = Annotations.fromStack(built.stack).findWarning('*', Match.stringLikeRegexp('mailFromAddress'));

    // assess
    expect(resourcesOf(built, 'AWS::SES::EmailIdentity')).toEqual([]);
    expect(sesStatements(built, 'send-notices')).toEqual([]);
    expect(sesStatements(built, 'send-digests')).toEqual([]);
    expect(warnings.map((warning) => warning.entry.data)).toEqual([
      expect.stringContaining('owners get no e-mail notices'),
    ]);
  });

  it('with an address: an identity for its domain signed with Easy DKIM, sent through a configuration set', () => {
    // prepare
    const built = mailStack();

    // act
    const identities = resourcesOf(built, 'AWS::SES::EmailIdentity');
    const sets = resourcesOf(built, 'AWS::SES::ConfigurationSet');

    // assess
    expect(identities.map((identity) => identity.Properties)).toEqual([
      {
        EmailIdentity: 'mail.example.com',
        DkimAttributes: { SigningEnabled: true },
        ConfigurationSetAttributes: {
          ConfigurationSetName: { Ref: logicalIdOf(built.stack.notices.configurationSet as never) },
        },
      },
    ]);
    expect(sets).toHaveLength(1);
    expect(sets[0]?.Properties.DeliveryOptions).toEqual({ TlsPolicy: 'REQUIRE' });
  });

  it.each(['send-notices', 'send-digests'])(
    'grants %s ses:SendEmail on that identity and configuration set alone, from the sender address only',
    (handler) => {
      // prepare
      const built = mailStack();
      const { stack } = built;

      // act
      const statements = sesStatements(built, handler);

      // assess
      expect(statements).toHaveLength(1);
      expect(asList(statements[0]?.Action)).toEqual(['ses:SendEmail']);
      expect(JSON.stringify(statements[0]?.Resource)).toContain(':identity/');
      expect(JSON.stringify(statements[0]?.Resource)).toContain(logicalIdOf(stack.notices.identity as never));
      expect(JSON.stringify(statements[0]?.Resource)).toContain(':configuration-set/');
      expect(asList(statements[0]?.Resource)).toHaveLength(2);
      expect((statements[0] as { Condition?: unknown }).Condition).toEqual({
        StringEquals: { 'ses:FromAddress': 'notices@mail.example.com' },
      });
      const variables =
        built.template.toJSON().Resources[functionsByHandler(stack).get(handler) as string].Properties.Environment
          .Variables;
      expect(variables.MAIL_FROM_ADDRESS).toBe('notices@mail.example.com');
      expect(variables.MAIL_CONFIGURATION_SET).toEqual({ Ref: logicalIdOf(stack.notices.configurationSet as never) });
    },
  );

  it.each(PACKS)('leaves cdk-nag (%s) clean with an address too', (pack) => {
    // prepare
    const { stack } = mailStack();
    const rules = Match.stringLikeRegexp(`^${pack.replace(/\./g, '\\.')}`);

    // act
    const findings = [
      ...Annotations.fromStack(stack).findError('*', rules),
      ...Annotations.fromStack(stack).findWarning('*', rules),
    ];

    // assess
    expect(findings.map((finding) => `${finding.id}: ${finding.entry.data}`)).toEqual([]);
  });
});
