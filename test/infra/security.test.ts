import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { userPoolDefinition } from '#contracts/auth';
import { bucketCors, bucketLayout } from '#contracts/bucket';
import { functionAccess } from '#contracts/function-access';
import {
  apiFunctions,
  type FunctionName,
  functionNames,
  functionTimeoutSeconds,
  validatorFunction,
} from '#contracts/functions';
import { limits, s3Limits } from '#contracts/limits';
import { routeKey, routes } from '#contracts/routes';
import {
  auditTable,
  filesTable,
  linksTable,
  noticesTable,
  quotasTable,
  sharesTable,
  type TableDefinition,
  tables,
} from '#contracts/tables';
import { apiCors } from '#contracts/web-security';
import type { DocdropStack } from '../../lib/docdrop-stack';
import {
  asList,
  type BuiltStack,
  buildStack,
  contextDefaults,
  defaultStack,
  describeGrants,
  describeResource,
  functionsByHandler,
  logicalIdOf,
  type PolicyStatementJson,
  PROJECT_ROOT,
  roleOf,
  roleStatements,
} from './support';

/**
 * An operator's non-default choices, written as `cdk synth -c key=value` delivers them: as
 * strings. One build serves every test of an override.
 */
const OPERATOR_CONTEXT = {
  'docdrop:webOrigins': 'https://docs.example.com, https://intake.example.org',
  'docdrop:noncurrentVersionDays': '7',
  'docdrop:retainData': 'false',
  'docdrop:selfSignUp': 'false',
  'docdrop:alarmEmail': 'ops@example.com',
  'docdrop:stageName': 'prod',
  'docdrop:throttleRatePerSecond': '5',
  'docdrop:throttleBurst': '10',
  'docdrop:logRetentionDays': '30',
};
const OPERATOR_ORIGINS = ['https://docs.example.com', 'https://intake.example.org'];

let operatorBuild: BuiltStack | undefined;
const operatorStack = (): BuiltStack => {
  operatorBuild ??= buildStack(OPERATOR_CONTEXT);
  return operatorBuild;
};

type Resource = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };

const resourcesOf = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

/** Object ARNs under a prefix of a bucket, as CDK writes `bucket.arnForObjects('prefix*')`. */
const objectsArn = (bucketId: string, pattern: string) => ({ 'Fn::Join': ['', [arnOf(bucketId), `/${pattern}`]] });

/** Readable names for the resources a grant can point at. */
function resourceNames(stack: DocdropStack): Record<string, string> {
  return {
    [logicalIdOf(stack.data.table(linksTable))]: 'links',
    [logicalIdOf(stack.data.table(filesTable))]: 'files',
    [logicalIdOf(stack.data.table(auditTable))]: 'audit',
    [logicalIdOf(stack.data.table(quotasTable))]: 'quotas',
    [logicalIdOf(stack.data.table(sharesTable))]: 'shares',
    [logicalIdOf(stack.auth.userPool)]: 'user-pool',
    [logicalIdOf(stack.storage.bucket)]: 'bucket',
    [logicalIdOf(stack.storage.key)]: 'documents-key',
    [logicalIdOf(stack.monitoring.key)]: 'operations-key',
    [logicalIdOf(stack.validation.failures)]: 'failure-queue',
    [logicalIdOf(stack.validation.validator)]: 'validator',
    [logicalIdOf(stack.monitoring.topic)]: 'notifications-topic',
    [logicalIdOf(stack.data.table(noticesTable))]: 'notices',
    [logicalIdOf(stack.notices.queue)]: 'notice-queue',
  };
}

const XRAY_ACTIONS = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
const isXrayStatement = (statement: PolicyStatementJson) =>
  asList(statement.Action).every((action) => XRAY_ACTIONS.has(action));

describe('documents bucket', () => {
  it('encrypts documents with the stack’s customer key and a bucket key', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    expect(bucket?.Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: arnOf(logicalIdOf(stack.storage.key)),
          },
        },
      ],
    });
  });

  it('blocks every kind of public access on all four buckets (documents, access logs, web site, CloudFront logs)', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const buckets = Object.values(resourcesOf(template, 'AWS::S3::Bucket'));

    // assess
    expect(buckets).toHaveLength(4);
    for (const bucket of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('refuses every request to either bucket that does not use TLS', () => {
    // prepare
    const { stack, template } = defaultStack();
    const buckets = [logicalIdOf(stack.storage.bucket), logicalIdOf(stack.storage.accessLogs)];

    // act
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));

    // assess
    for (const bucket of buckets) {
      const policy = policies.find((candidate) => candidate.Properties.Bucket?.Ref === bucket);
      expect(policy?.Properties.PolicyDocument.Statement, bucket).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [arnOf(bucket), objectsArn(bucket, '*')],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('keeps every version of a document', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    expect(bucket?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('disables ACLs: the bucket owner owns every object', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    expect(bucket?.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('writes server access logs to the log bucket', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    expect(bucket?.Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: logicalIdOf(stack.storage.accessLogs) },
    });
  });

  it.each([
    ['the web app’s distribution only, by default', defaultStack, []],
    ['the web app’s distribution and the web origins an operator adds', operatorStack, OPERATOR_ORIGINS],
  ])('lets browsers PUT and GET from %s', (_name, build, origins) => {
    // prepare
    const { stack, template } = build();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    const distributionOrigin = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stack.web.distribution), 'DomainName'] }]],
    };
    expect(bucket?.Properties.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: [distributionOrigin, ...origins],
          AllowedMethods: [...bucketCors.allowedMethods],
          AllowedHeaders: bucketCors.allowedHeaders,
          ExposedHeaders: ['ETag'],
          MaxAge: bucketCors.maxAgeSeconds,
        },
      ],
    });
  });

  it('tiers released documents down, expires old versions, abandoned multipart uploads and unvalidated uploads', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    const rules = bucket?.Properties.LifecycleConfiguration.Rules as any[];
    const rulesFor = (prefix?: string) => rules.filter((rule) => rule.Prefix === prefix && !rule.Filter);
    expect(rulesFor(bucketLayout.filesPrefix)).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 60 },
        ],
      }),
    );
    expect(rulesFor(undefined)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
        expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      ]),
    );
    // A multipart object is dated from its upload's creation (open up to a day): two days, and
    // an upload left open is aborted by then even if the sweep missed it.
    expect(rulesFor(bucketLayout.incomingPrefix)).toContainEqual(
      expect.objectContaining({
        Status: 'Enabled',
        ExpirationInDays: 2,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
      }),
    );
  });

  it('expires replaced versions after the days an operator configures', () => {
    // prepare
    const { stack, template } = operatorStack();

    // act
    const bucket = resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)];

    // assess
    const wholeBucketRules = bucket?.Properties.LifecycleConfiguration.Rules.filter(
      (rule: any) => !rule.Prefix && !rule.Filter,
    );
    expect(wholeBucketRules).toContainEqual(
      expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 7 } }),
    );
  });

  it('denies reading a released object or preview the validator has not tagged', () => {
    // prepare
    const { stack, template } = defaultStack();
    const bucket = logicalIdOf(stack.storage.bucket);

    // act
    const policy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => candidate.Properties.Bucket?.Ref === bucket,
    );

    // assess
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['s3:GetObject']),
        Resource: expect.arrayContaining([
          objectsArn(bucket, `${bucketLayout.filesPrefix}*`),
          objectsArn(bucket, `${bucketLayout.thumbsPrefix}*`),
          objectsArn(bucket, `${bucketLayout.profilesPrefix}*`),
        ]),
        Condition: { StringNotEquals: { 's3:ExistingObjectTag/docdrop-status': 'clean' } },
      }),
    );
  });
});

describe('keys', () => {
  it('rotates both customer keys', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const keys = Object.values(resourcesOf(template, 'AWS::KMS::Key'));

    // assess
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('lets CloudWatch Logs of this region use the operations key only for this account’s log groups', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const key = resourcesOf(template, 'AWS::KMS::Key')[logicalIdOf(stack.monitoring.key)];

    // assess
    const logsService = { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } };
    const logsStatements = key?.Properties.KeyPolicy.Statement.filter(
      (statement: any) => Match.objectEquals(logsService).test(statement.Principal).isSuccess,
    );
    expect(logsStatements).toHaveLength(1);
    expect(logsStatements[0].Condition).toEqual({
      ArnLike: {
        'kms:EncryptionContext:aws:logs:arn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':logs:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':log-group:*',
            ],
          ],
        },
      },
    });
  });
});

describe('tables', () => {
  const keySchema = (definition: Pick<TableDefinition, 'partitionKey' | 'sortKey'>) => [
    { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
    ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' }] : []),
  ];

  it.each(tables.map((definition) => [definition.id, definition] as const))(
    'makes the %s table exactly as defined: keys, indexes, on demand, encrypted, recoverable, TTL',
    (_id, definition: TableDefinition) => {
      // prepare
      const { stack, template } = defaultStack();

      // act
      const table = resourcesOf(template, 'AWS::DynamoDB::Table')[logicalIdOf(stack.data.table(definition))];

      // assess
      expect(table?.Properties).toMatchObject({
        KeySchema: keySchema(definition),
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      // TTL where the definition asks for it (the shares table has nothing that expires).
      expect(table?.Properties.TimeToLiveSpecification).toEqual(
        definition.timeToLiveAttribute ? { AttributeName: definition.timeToLiveAttribute, Enabled: true } : undefined,
      );
      expect(table?.Properties.KeySchema).toEqual(keySchema(definition));
      const indexes = (table?.Properties.GlobalSecondaryIndexes ?? []).map((index: any) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
      }));
      expect(indexes).toEqual(
        definition.globalIndexes.map((index) => ({ IndexName: index.indexName, KeySchema: keySchema(index) })),
      );
    },
  );

  it('makes no table that is not defined', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const count = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table')).length;

    // assess
    expect(count).toBe(tables.length);
  });

  it('protects every table from deletion and retains it with the stack by default', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const found = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'));

    // assess
    for (const table of found) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('retains the buckets, keys and user pool with the stack by default', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const found = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Cognito::UserPool'].flatMap((type) =>
      Object.values(resourcesOf(template, type)),
    );

    // assess
    expect(found).toHaveLength(7);
    for (const resource of found) expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('lets a throwaway stack (retainData=false) delete its tables, buckets, keys and user pool', () => {
    // prepare
    const { template } = operatorStack();

    // act
    const found = ['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Cognito::UserPool'].flatMap(
      (type) => Object.values(resourcesOf(template, type)),
    );

    // assess
    expect(found).toHaveLength(tables.length + 7);
    for (const resource of found) {
      expect(resource.DeletionPolicy).toBe('Delete');
      expect(resource.Properties.DeletionProtectionEnabled ?? false).toBe(false);
      expect(resource.Properties.DeletionProtection ?? 'INACTIVE').toBe('INACTIVE');
    }
  });
});

describe('user pool', () => {
  const userPool = (template: Template) => Object.values(resourcesOf(template, 'AWS::Cognito::UserPool'));

  it('signs owners in by verified e-mail with the defined password policy', () => {
    // prepare
    const { template } = defaultStack();
    const { passwordPolicy } = userPoolDefinition;

    // act
    const pools = userPool(template);

    // assess
    expect(pools).toHaveLength(1);
    expect(pools[0]?.Properties).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: passwordPolicy.minimumLength,
          RequireLowercase: passwordPolicy.requireLowercase,
          RequireUppercase: passwordPolicy.requireUppercase,
          RequireNumbers: passwordPolicy.requireNumbers,
          RequireSymbols: passwordPolicy.requireSymbols,
          TemporaryPasswordValidityDays: passwordPolicy.temporaryPasswordValidityDays,
        },
      },
    });
  });

  it('keeps the verified e-mail of an owner who asks for another until the new one is verified', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const [pool] = userPool(template);

    // assess: shares resolve by verified address, so an unverified change must not replace it
    expect(pool?.Properties.UserAttributeUpdateSettings).toEqual({
      AttributesRequireVerificationBeforeUpdate: ['email'],
    });
  });

  it('offers optional MFA by authenticator app only, never SMS', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const [pool] = userPool(template);

    // assess
    expect(pool?.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(pool?.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  it.each([
    ['allows self sign-up by default', defaultStack, false],
    ['allows only administrators to create owners when self sign-up is off', operatorStack, true],
  ])('%s', (_name, build, adminOnly) => {
    // prepare
    const { template } = build();

    // act
    const [pool] = userPool(template);

    // assess
    expect(pool?.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(adminOnly);
  });

  it('gives the web app a public client without a secret and only the defined auth flows', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const clients = Object.values(resourcesOf(template, 'AWS::Cognito::UserPoolClient'));

    // assess
    expect(clients).toHaveLength(1);
    expect(clients[0]?.Properties.UserPoolId).toEqual({ Ref: logicalIdOf(stack.auth.userPool) });
    expect(clients[0]?.Properties.GenerateSecret).toBe(false);
    expect([...(clients[0]?.Properties.ExplicitAuthFlows ?? [])].sort()).toEqual(
      [...userPoolDefinition.client.explicitAuthFlows].sort(),
    );
  });
});

describe('API', () => {
  const routesOf = (template: Template) => Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));

  it('serves exactly the routes of the route table', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const routeKeys = routesOf(template).map((route) => route.Properties.RouteKey);

    // assess
    expect(routeKeys).toHaveLength(routes.length);
    expect(new Set(routeKeys)).toEqual(new Set(routes.map(routeKey)));
  });

  it('requires an owner JWT from the user pool for the web client on every owner route', () => {
    // prepare
    const { stack, template } = defaultStack();
    const ownerKeys = routes.filter((route) => route.caller === 'owner').map(routeKey);

    // act
    const authorizers = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer');
    const ownerRoutes = routesOf(template).filter((route) => ownerKeys.includes(route.Properties.RouteKey));

    // assess
    const [authorizerId, authorizer] = Object.entries(authorizers)[0] ?? [];
    expect(Object.keys(authorizers)).toHaveLength(1);
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalIdOf(stack.auth.webClient) }],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.amazonaws.com/',
              { Ref: logicalIdOf(stack.auth.userPool) },
            ],
          ],
        },
      },
    });
    expect(ownerRoutes).toHaveLength(ownerKeys.length);
    for (const route of ownerRoutes) {
      expect(route.Properties, route.Properties.RouteKey).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it('leaves link and public routes to their handlers: no authorizer', () => {
    // prepare
    const { template } = defaultStack();
    const openKeys = routes.filter((route) => route.caller !== 'owner').map(routeKey);

    // act
    const openRoutes = routesOf(template).filter((route) => openKeys.includes(route.Properties.RouteKey));

    // assess
    expect(openRoutes).toHaveLength(openKeys.length);
    for (const route of openRoutes) {
      expect(route.Properties.AuthorizationType, route.Properties.RouteKey).toBe('NONE');
      expect(route.Properties.AuthorizerId, route.Properties.RouteKey).toBeUndefined();
    }
  });

  it('sends each route to the function of its handler', () => {
    // prepare
    const { stack, template } = defaultStack();
    const functions = functionsByHandler(stack);
    const integrations = resourcesOf(template, 'AWS::ApiGatewayV2::Integration');

    // act
    const targets = Object.fromEntries(
      routesOf(template).map((route) => {
        const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
        return [route.Properties.RouteKey, integrations[integrationId]?.Properties.IntegrationUri];
      }),
    );

    // assess
    expect(targets).toEqual(
      Object.fromEntries(routes.map((route) => [routeKey(route), arnOf(functions.get(route.handler) as string)])),
    );
  });

  it.each([
    ['the default stage', defaultStack, { stage: 'v1', rate: 50, burst: 100 }],
    ['the stage and throttle an operator configures', operatorStack, { stage: 'prod', rate: 5, burst: 10 }],
  ])('throttles %s', (_name, build, expected) => {
    // prepare
    const { template } = build();

    // act
    const stages = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));

    // assess
    expect(stages).toHaveLength(1);
    expect(stages[0]?.Properties).toMatchObject({
      StageName: expected.stage,
      DefaultRouteSettings: { ThrottlingRateLimit: expected.rate, ThrottlingBurstLimit: expected.burst },
    });
  });

  it('writes JSON access logs to a log group encrypted with the operations key', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const [stage] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Stage'));
    const { DestinationArn, Format } = stage?.Properties.AccessLogSettings ?? {};
    const logGroup = resourcesOf(template, 'AWS::Logs::LogGroup')[DestinationArn?.['Fn::GetAtt']?.[0]];

    // assess
    expect(JSON.parse(Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(logGroup?.Properties.KmsKeyId).toEqual(arnOf(logicalIdOf(stack.monitoring.key)));
  });

  it('answers CORS preflights for the web origins an operator adds only, with the rules the local gateway uses', () => {
    // prepare
    const { template } = operatorStack();

    // act
    const [api] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Api'));

    // assess
    expect(api?.Properties.ProtocolType).toBe('HTTP');
    expect(api?.Properties.CorsConfiguration).toEqual({
      AllowOrigins: OPERATOR_ORIGINS,
      AllowMethods: [...apiCors.allowMethods],
      AllowHeaders: apiCors.allowHeaders,
      MaxAge: apiCors.maxAgeSeconds,
    });
  });

  it('answers no CORS preflight by default: the web app calls the API under its own domain', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const [api] = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Api'));

    // assess
    expect(api?.Properties.ProtocolType).toBe('HTTP');
    expect(api?.Properties.CorsConfiguration).toBeUndefined();
  });
});

describe('functions', () => {
  const docdropFunctions = (template: Template) =>
    Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(
      // CDK's own deploy-time handlers: the bucket notification writer and the web site deployer.
      ([id]) => !id.startsWith('BucketNotificationsHandler') && !id.startsWith('CustomCDKBucketDeployment'),
    );

  it('deploys one function per handler and no other', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const found = docdropFunctions(template).map(([id]) => id);

    // assess
    const byHandler = functionsByHandler(stack);
    expect([...byHandler.keys()].sort()).toEqual([...functionNames].sort());
    expect(found.sort()).toEqual([...byHandler.values()].sort());
  });

  it('runs every function on Node.js 24, arm64, with X-Ray tracing', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const found = docdropFunctions(template);

    // assess
    for (const [id, fn] of found) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it.each([
    ['365 days by default', defaultStack, 365],
    ['the days an operator configures', operatorStack, 30],
  ])('keeps every function’s logs, encrypted with the operations key, for %s', (_name, build, days) => {
    // prepare
    const { stack, template } = build();
    const logGroups = resourcesOf(template, 'AWS::Logs::LogGroup');

    // act
    const found = [...functionsByHandler(stack).values()].map((id) => [
      id,
      logGroups[resourcesOf(template, 'AWS::Lambda::Function')[id]?.Properties.LoggingConfig?.LogGroup?.Ref],
    ]);

    // assess
    for (const [id, logGroup] of found) {
      expect((logGroup as Resource | undefined)?.Properties, id as string).toEqual({
        RetentionInDays: days,
        KmsKeyId: arnOf(logicalIdOf(stack.monitoring.key)),
      });
    }
  });
});

describe('function timeouts', () => {
  it('gives every function the timeout contracts/functions.ts defines, API ones under the 30 s integration limit', () => {
    // prepare
    const { stack, template } = defaultStack();
    const functions = resourcesOf(template, 'AWS::Lambda::Function');

    // act
    const timeouts = Object.fromEntries(
      [...functionsByHandler(stack)].map(([handler, id]) => [handler, functions[id]?.Properties.Timeout]),
    );

    // assess
    expect(timeouts).toEqual(functionTimeoutSeconds);
    for (const name of apiFunctions) expect(timeouts[name], name).toBeLessThan(30);
  });
});

describe('least privilege', () => {
  const listing = (prefix: string) => `s3:ListBucket bucket if StringLike s3:prefix=${prefix}*`;
  /** The access check reads the caller's shares on every request. */
  const sharesGranted = ['dynamodb:Query shares', 'dynamodb:Query shares/index/byGrantee'];
  /** One folder's contents in each order: the files table's three listing indexes. */
  const folderListings = (action: string) =>
    ['byName', 'byDate', 'bySize'].map((index) => `dynamodb:${action} files/index/${index}`);

  /** The whole access of each function: what its handler does, and nothing else. */
  const expectedGrants: Record<string, string[]> = {
    // Readiness: the files table's metadata (is DynamoDB answering?), no item read or written.
    health: ['dynamodb:DescribeTable files'],
    'describe-api': [],
    'create-link': ['dynamodb:PutItem links', 'dynamodb:PutItem audit'],
    'list-links': ['dynamodb:Query links', 'dynamodb:Query links/index/byOwner'],
    'revoke-link': ['dynamodb:UpdateItem links', 'dynamodb:PutItem audit'],
    'describe-link': ['dynamodb:GetItem links'],
    'presign-upload': [
      'dynamodb:GetItem links',
      'dynamodb:UpdateItem links',
      'dynamodb:PutItem files',
      // The destination folder and its path, and the caller's shares: the access check.
      'dynamodb:GetItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      // Reserving against the quota: read the usage, give back what has expired (reservations,
      // replaced content past retention), reserve.
      'dynamodb:GetItem quotas',
      'dynamodb:UpdateItem quotas',
      'dynamodb:Query quotas',
      'dynamodb:DeleteItem quotas',
      // A single PUT's URL and CreateMultipartUpload; an upload whose record could not be written is aborted.
      's3:PutObject bucket/incoming/*',
      's3:AbortMultipartUpload bucket/incoming/*',
      'kms:GenerateDataKey documents-key',
      'kms:Decrypt documents-key',
    ],
    // The multipart routes read the upload (and, for a sharee, the share; for a link holder, the link).
    'sign-upload-parts': [
      'dynamodb:GetItem links',
      'dynamodb:GetItem files',
      ...sharesGranted,
      // Signs UploadPart URLs (s3:PutObject) under incoming/, encrypted with the key.
      's3:PutObject bucket/incoming/*',
      'kms:GenerateDataKey documents-key',
      'kms:Decrypt documents-key',
    ],
    'list-upload-parts': [
      'dynamodb:GetItem links',
      'dynamodb:GetItem files',
      ...sharesGranted,
      's3:ListMultipartUploadParts bucket/incoming/*',
    ],
    'complete-upload': [
      'dynamodb:GetItem links',
      'dynamodb:GetItem files',
      // The record's completion and confirmation.
      'dynamodb:UpdateItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      // ListParts, CompleteMultipartUpload (s3:PutObject) with what S3 holds, and a HEAD when S3 no longer knows the upload.
      's3:ListMultipartUploadParts bucket/incoming/*',
      's3:PutObject bucket/incoming/*',
      's3:GetObject bucket/incoming/*',
      listing('incoming/'),
      'kms:GenerateDataKey documents-key',
      'kms:Decrypt documents-key',
    ],
    'confirm-upload': [
      'dynamodb:GetItem links',
      'dynamodb:GetItem files',
      'dynamodb:UpdateItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      's3:GetObject bucket/incoming/*',
      listing('incoming/'),
      // An upload that arrived and lost its event: the validator is asked to run, that function alone.
      'lambda:InvokeFunction validator',
    ],
    'abandon-upload': [
      // The link holder's token, and the held use given back.
      'dynamodb:GetItem links',
      'dynamodb:UpdateItem links',
      // The upload (and the access check), and its pending record removed.
      'dynamodb:GetItem files',
      'dynamodb:DeleteItem files',
      ...sharesGranted,
      // The reservation closed, in the same transaction.
      'dynamodb:UpdateItem quotas',
      'dynamodb:PutItem audit',
      // HEADs the upload, to tell one that arrived; aborts a multipart one first.
      's3:GetObject bucket/incoming/*',
      's3:AbortMultipartUpload bucket/incoming/*',
      listing('incoming/'),
    ],
    'sweep-uploads': [
      // The pending uploads, from the sparse index (an index grant names its table too, as every index grant here does).
      'dynamodb:Query files',
      'dynamodb:Query files/index/pendingByUrlExpiry',
      // An unsent upload given up: its record, its reservation and its link use in one transaction.
      'dynamodb:UpdateItem files',
      'dynamodb:UpdateItem quotas',
      // A held file given up at the end of its quarantine takes its charge with it.
      'dynamodb:DeleteItem quotas',
      'dynamodb:UpdateItem links',
      'dynamodb:PutItem audit',
      // HEADs uploads, to see which arrived; aborts a multipart upload left open past its time.
      's3:GetObject bucket/incoming/*',
      's3:AbortMultipartUpload bucket/incoming/*',
      listing('incoming/'),
      'lambda:InvokeFunction validator',
      // The validator's failure queue, redriven: read and delete only, on the queue's key.
      'sqs:ReceiveMessage failure-queue',
      'sqs:DeleteMessage failure-queue',
      'kms:Decrypt operations-key',
    ],
    'list-files': [
      'dynamodb:GetItem files',
      ...folderListings('GetItem'),
      'dynamodb:Query files',
      ...folderListings('Query'),
      ...sharesGranted,
    ],
    'download-file': [
      'dynamodb:GetItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      's3:GetObject bucket/files/*',
      'kms:Decrypt documents-key',
    ],
    'delete-file': [
      'dynamodb:GetItem files',
      'dynamodb:DeleteItem files',
      // The record, its name claim and its folder's count change in one transaction.
      'dynamodb:UpdateItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      // The record, its charge and the usage change in one transaction.
      'dynamodb:GetItem quotas',
      'dynamodb:UpdateItem quotas',
      'dynamodb:DeleteItem quotas',
      's3:DeleteObject bucket/incoming/*',
      's3:DeleteObject bucket/files/*',
      's3:DeleteObject bucket/thumbs/*',
      // Discarding a held file removes its quarantined bytes.
      's3:DeleteObject bucket/quarantine/*',
    ],
    'download-thumbnail': [
      'dynamodb:GetItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
      's3:GetObject bucket/thumbs/*',
      'kms:Decrypt documents-key',
    ],
    'update-file': [
      'dynamodb:GetItem files',
      'dynamodb:PutItem files',
      'dynamodb:UpdateItem files',
      'dynamodb:DeleteItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
    ],
    'list-folders': [
      'dynamodb:GetItem files',
      // Subfolders list by name or by date (the table itself comes with any index grant).
      'dynamodb:Query files',
      'dynamodb:Query files/index/byName',
      'dynamodb:Query files/index/byDate',
      ...sharesGranted,
    ],
    'create-folder': [
      'dynamodb:GetItem files',
      // The folder's item, its name's claim and the parent's count, in one transaction.
      'dynamodb:PutItem files',
      'dynamodb:UpdateItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
    ],
    'update-folder': [
      'dynamodb:GetItem files',
      // The name claims, the item, the counts and the destination's path, in one transaction.
      'dynamodb:PutItem files',
      'dynamodb:UpdateItem files',
      'dynamodb:DeleteItem files',
      'dynamodb:ConditionCheckItem files',
      // How deep the folders under a moved one go.
      'dynamodb:Query files',
      'dynamodb:Query files/index/byName',
      ...sharesGranted,
      'dynamodb:PutItem audit',
    ],
    'delete-folder': [
      'dynamodb:GetItem files',
      // The empty folder's item, its name claim and the parent's count, in one transaction.
      'dynamodb:DeleteItem files',
      'dynamodb:UpdateItem files',
      ...sharesGranted,
      'dynamodb:PutItem audit',
    ],
    'create-share': [
      'dynamodb:GetItem files',
      'dynamodb:PutItem shares',
      // The access check.
      ...sharesGranted,
      'dynamodb:PutItem audit',
      // Finding the grantee by e-mail, and nothing else in the pool.
      'cognito-idp:ListUsers user-pool',
    ],
    'list-shares': ['dynamodb:GetItem files', 'dynamodb:Query shares', 'dynamodb:Query shares/index/byOwner'],
    'revoke-share': ['dynamodb:GetItem shares', 'dynamodb:DeleteItem shares', 'dynamodb:PutItem audit'],
    'list-shared-with-me': ['dynamodb:GetItem files', 'dynamodb:Query shares', 'dynamodb:Query shares/index/byGrantee'],
    'get-usage': [
      'dynamodb:GetItem quotas',
      'dynamodb:UpdateItem quotas',
      'dynamodb:Query quotas',
      'dynamodb:DeleteItem quotas',
    ],
    // Its usage as get-usage reports it, and its own entry in the pool (ListUsers, nothing else there).
    'describe-me': [
      'dynamodb:GetItem quotas',
      'dynamodb:UpdateItem quotas',
      'dynamodb:Query quotas',
      'dynamodb:DeleteItem quotas',
      'cognito-idp:ListUsers user-pool',
    ],
    'list-audit-trail': ['dynamodb:Query audit'],
    // The owner's settings item in their own files partition.
    'get-settings': ['dynamodb:GetItem files'],
    'update-settings': ['dynamodb:UpdateItem files', 'dynamodb:PutItem audit'],
    // INTERIM (issue 14 contract): the malware gate grants what the release needs.
    // The record back to pending and its charge back to a reservation, in one transaction; its bytes
    // copied from quarantine/ back to incoming/ (encrypted with the key), where the validator takes them.
    'release-held-file': [
      'dynamodb:GetItem files',
      'dynamodb:UpdateItem files',
      'dynamodb:UpdateItem quotas',
      'dynamodb:DeleteItem quotas',
      'dynamodb:PutItem audit',
      's3:GetObject bucket/quarantine/*',
      's3:DeleteObject bucket/quarantine/*',
      listing('quarantine/'),
      's3:PutObject bucket/incoming/*',
      'kms:Decrypt documents-key',
      'kms:GenerateDataKey documents-key',
    ],
    // Records the pending photo and the audit entry, and signs the PUT into incoming/ (encrypted with the key).
    'upload-profile-photo': [
      'dynamodb:PutItem files',
      'dynamodb:PutItem audit',
      's3:PutObject bucket/incoming/*',
      'kms:GenerateDataKey documents-key',
      'kms:Decrypt documents-key',
    ],
    // Reads the profile pointer and signs the GET of the current picture: nothing written.
    'download-profile-photo': ['dynamodb:GetItem files', 's3:GetObject bucket/profiles/*', 'kms:Decrypt documents-key'],
    'upload-validator': [
      'dynamodb:GetItem files',
      'dynamodb:UpdateItem files',
      // A released file takes its name's claim.
      'dynamodb:PutItem files',
      'dynamodb:PutItem audit',
      // Settling closes the reservation and records the released file's charge.
      'dynamodb:UpdateItem quotas',
      'dynamodb:PutItem quotas',
      // A link upload spends the use it held, in the same transaction, only while the link is
      // not revoked (a condition check when no hold is left); the link is read to tell why.
      'dynamodb:UpdateItem links',
      'dynamodb:ConditionCheckItem links',
      'dynamodb:GetItem links',
      // A sharee's upload is released only while the share it came through stands.
      'dynamodb:GetItem shares',
      'dynamodb:ConditionCheckItem shares',
      // A replace reads the replaced file's charge to keep its old bytes in a noncurrent entry.
      'dynamodb:GetItem quotas',
      's3:GetObject bucket/incoming/*',
      // The malware scan's result from GuardDuty's tag, when its event is late or lost.
      's3:GetObjectTagging bucket/incoming/*',
      's3:DeleteObject bucket/incoming/*',
      listing('incoming/'),
      // A malware rejection's or a held file's bytes, copied (in parts above 5 GiB) to quarantine/.
      's3:PutObject bucket/quarantine/*',
      's3:AbortMultipartUpload bucket/quarantine/*',
      's3:PutObject bucket/files/*',
      's3:PutObjectTagging bucket/files/*',
      's3:DeleteObject bucket/files/*',
      // A release copied in parts (above 5 GiB) that fails is aborted.
      's3:AbortMultipartUpload bucket/files/*',
      // The cleaned image's preview.
      's3:PutObject bucket/thumbs/*',
      's3:PutObjectTagging bucket/thumbs/*',
      's3:DeleteObject bucket/thumbs/*',
      // Owners' profile pictures.
      's3:PutObject bucket/profiles/*',
      's3:PutObjectTagging bucket/profiles/*',
      'kms:Decrypt documents-key',
      'kms:GenerateDataKey documents-key',
      'sqs:SendMessage failure-queue',
      // "A file arrived through your link" notices, to the notice queue (on the same operations key).
      'sqs:SendMessage notice-queue',
      // Sending to the KMS-encrypted failure and notice queues takes a data key from their key.
      'kms:GenerateDataKey operations-key',
      'kms:Decrypt operations-key',
    ],
    'send-notices': [
      // The claim of (file, outcome), taken, read, marked sent or given back; a daily notice kept.
      'dynamodb:PutItem notices',
      'dynamodb:GetItem notices',
      'dynamodb:UpdateItem notices',
      'dynamodb:DeleteItem notices',
      // The owner's notice preference; the link's label.
      'dynamodb:GetItem files',
      'dynamodb:GetItem links',
      // The owner's verified address.
      'cognito-idp:ListUsers user-pool',
      // The operators' topic, on the operations key.
      'sns:Publish notifications-topic',
      // The SQS event source: receive and delete from its queue alone, decrypting with its key.
      'sqs:ReceiveMessage notice-queue',
      'sqs:ChangeMessageVisibility notice-queue',
      'sqs:GetQueueUrl notice-queue',
      'sqs:DeleteMessage notice-queue',
      'sqs:GetQueueAttributes notice-queue',
      'kms:GenerateDataKey operations-key',
      'kms:Decrypt operations-key',
      // No ses:SendEmail: the default stack has no sender address (see the e-mail tests).
    ],
    'send-digests': [
      // The day's kept notices, and the claim of (owner, day).
      'dynamodb:Query notices',
      'dynamodb:PutItem notices',
      'dynamodb:GetItem notices',
      'dynamodb:UpdateItem notices',
      'dynamodb:DeleteItem notices',
      'dynamodb:GetItem files',
      'cognito-idp:ListUsers user-pool',
    ],
  };

  it('has an expected grant list for every function the stack deploys', () => {
    // prepare
    const deployed = [...functionNames].sort();

    // assess
    expect(Object.keys(expectedGrants).sort()).toEqual(deployed);
  });

  it.each(Object.entries(expectedGrants))('grants %s exactly what its handler uses', (handler, expected) => {
    // prepare
    const { stack, template } = defaultStack();
    const functionId = functionsByHandler(stack).get(handler) as string;

    // act
    const statements = roleStatements(template, functionId).filter((statement) => !isXrayStatement(statement));

    // assess
    expect(describeGrants(statements, resourceNames(stack))).toEqual([...expected].sort());
  });

  it('attaches no managed policy to a function but the basic execution role', () => {
    // prepare
    const { stack, template } = defaultStack();
    const roles = resourcesOf(template, 'AWS::IAM::Role');

    // act
    const managed = [...functionsByHandler(stack)].map(([handler, functionId]) => [
      handler,
      asList(roles[roleOf(template, functionId)]?.Properties.ManagedPolicyArns).map((arn) => describeResource(arn, {})),
    ]);

    // assess
    for (const [handler, arns] of managed) {
      expect(arns, handler as string).toEqual([
        'arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      ]);
    }
  });

  it('allows no wildcard action on S3, DynamoDB or KMS anywhere', () => {
    // prepare
    const { template } = defaultStack();
    const wildcards = new Set(['*', 's3:*', 'dynamodb:*', 'kms:*']);
    // The one exception: a key policy's statement for the account root, which hands control of
    // the key to IAM (without it, no IAM policy could grant the key at all).
    const accountRoot = {
      AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
    };

    // act
    const statements = Object.entries(template.toJSON().Resources as Record<string, Resource>).flatMap(
      ([id, resource]) => {
        const documents = [
          resource.Properties?.PolicyDocument,
          ...(resource.Type === 'AWS::IAM::Role' ? (resource.Properties.Policies ?? []) : []).map(
            (policy: any) => policy.PolicyDocument,
          ),
          resource.Type === 'AWS::KMS::Key' ? resource.Properties.KeyPolicy : undefined,
        ].filter(Boolean);
        return documents.flatMap((document: any) =>
          (document.Statement as PolicyStatementJson[]).map((statement) => ({ id, statement })),
        );
      },
    );

    // assess
    const offending = statements.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        asList(statement.Action).some((action) => wildcards.has(action)) &&
        !Match.objectEquals(accountRoot).test(statement.Principal).isSuccess,
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(offending).toEqual([]);
  });
});

describe('function environment', () => {
  const handlers = [...functionNames];
  const ownerHandlers = new Set<string>(
    routes.filter((route) => route.caller === 'owner').map((route) => route.handler),
  );
  /** Plain settings that carry no permission. */
  const plainSettings = new Set([
    'POWERTOOLS_SERVICE_NAME',
    'NODE_OPTIONS',
    'MAX_FILE_BYTES',
    'MAX_IMAGE_PIXELS',
    'DEFAULT_QUOTA_BYTES',
    'AUDIT_RETENTION_DAYS',
    'NONCURRENT_VERSION_DAYS',
    'MALWARE_SCAN',
    'QUARANTINE_DAYS',
  ]);

  const environmentOf = (template: Template, functionId: string): Record<string, unknown> =>
    (template.toJSON().Resources[functionId]?.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>;

  it.each(handlers)('names to %s exactly the tables, bucket and user pool it may use', (handler) => {
    // prepare
    const { stack, template } = defaultStack();
    const functionId = functionsByHandler(stack).get(handler) as string;
    const grants = describeGrants(roleStatements(template, functionId), resourceNames(stack));
    const uses = (name: string) => grants.some((grant) => new RegExp(` ${name}(/|$| )`).test(grant));

    // act
    const environment = environmentOf(template, functionId);

    // assess
    const expected: Record<string, unknown> = {};
    for (const table of tables) {
      if (uses(table.id)) expected[table.envVar] = { Ref: logicalIdOf(stack.data.table(table)) };
    }
    if (uses('bucket')) expected.BUCKET_NAME = { Ref: logicalIdOf(stack.storage.bucket) };
    if (uses('notifications-topic')) expected.NOTIFICATION_TOPIC_ARN = { Ref: logicalIdOf(stack.monitoring.topic) };
    if (uses('notice-queue') && handler === validatorFunction)
      expected.NOTICE_QUEUE_URL = { Ref: logicalIdOf(stack.notices.queue) };
    if (uses('user-pool')) expected.USER_POOL_ID = { Ref: logicalIdOf(stack.auth.userPool) };
    if (uses('validator')) expected.VALIDATOR_FUNCTION_NAME = { Ref: logicalIdOf(stack.validation.validator) };
    if (uses('failure-queue') && handler !== validatorFunction)
      expected.VALIDATOR_FAILURES_QUEUE_URL = { Ref: logicalIdOf(stack.validation.failures) };
    // Link URLs point at the web app's distribution.
    if (functionAccess[handler as FunctionName]?.settings?.includes('WEB_BASE_URL'))
      expected.WEB_BASE_URL = stack.resolve(stack.web.url);
    if (ownerHandlers.has(handler)) {
      expected.USER_POOL_ID = { Ref: logicalIdOf(stack.auth.userPool) };
      expected.USER_POOL_CLIENT_ID = { Ref: logicalIdOf(stack.auth.webClient) };
    }
    const named = Object.fromEntries(Object.entries(environment).filter(([name]) => !plainSettings.has(name)));
    expect(named).toEqual(expected);
    for (const name of plainSettings) {
      if (name in environment) expect(typeof environment[name], name).toBe('string');
    }
  });

  describe('loading each handler with only its function’s environment', () => {
    let saved: NodeJS.ProcessEnv;

    beforeEach(() => {
      saved = { ...process.env };
    });

    afterEach(() => {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
      vi.resetModules();
    });

    it.each(handlers)('starts %s', async (handler) => {
      // prepare
      const { stack, template } = defaultStack();
      const functionId = functionsByHandler(stack).get(handler) as string;
      const environment = Object.fromEntries(
        Object.entries(environmentOf(template, functionId)).map(([name, value]) => [
          name,
          // Values CloudFormation fills in at deploy time: stand-ins of the right shape.
          typeof value === 'string'
            ? value
            : name === 'USER_POOL_ID'
              ? 'us-east-1_Dummy'
              : name === 'WEB_BASE_URL'
                ? 'https://d111111abcdef8.cloudfront.net'
                : name.endsWith('_ARN')
                  ? `arn:aws:dummy:us-east-1:000000000000:${name.toLowerCase()}`
                  : name.endsWith('_URL')
                    ? `https://sqs.us-east-1.amazonaws.com/000000000000/${name.toLowerCase()}`
                    : `dummy-${name.toLowerCase()}`,
        ]),
      );
      for (const name of Object.keys(process.env)) delete process.env[name];
      // Lambda sets AWS_REGION. The SDK flag only quiets its warning about this runner's Node 20 (Lambda runs 24).
      Object.assign(process.env, environment, {
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      vi.resetModules();

      // act
      const load = import(join(PROJECT_ROOT, 'functions', handler, 'index.ts'));

      // assess
      await expect(load).resolves.toHaveProperty('handler');
    });
  });
});

describe('upload sweep', () => {
  it('runs on an EventBridge schedule every docdrop:sweepIntervalMinutes (5) minutes, without retries', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    // (The malware gate's rule on scan results is malware-gate.test.ts's.)
    const rules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).filter((rule) =>
      rule.Properties.Targets.some(
        (target: { Arn: unknown }) =>
          Match.objectEquals(arnOf(logicalIdOf(stack.validation.sweep))).test(target.Arn).isSuccess,
      ),
    );

    // assess
    expect(rules.map((rule) => rule.Properties)).toEqual([
      {
        ScheduleExpression: 'rate(5 minutes)',
        State: 'ENABLED',
        Targets: [
          {
            Arn: arnOf(logicalIdOf(stack.validation.sweep)),
            Id: 'Target0',
            RetryPolicy: { MaximumRetryAttempts: 0 },
          },
        ],
      },
    ]);
  });

  it('lets only confirm and the sweep invoke the validator, and only that one function', () => {
    // prepare
    const { stack, template } = defaultStack();
    const names = resourceNames(stack);

    // act
    const invokers = [...functionsByHandler(stack)].flatMap(([handler, functionId]) =>
      describeGrants(roleStatements(template, functionId), names)
        .filter((grant) => grant.startsWith('lambda:'))
        .map((grant) => `${handler}: ${grant}`),
    );

    // assess
    expect(invokers.sort()).toEqual([
      'confirm-upload: lambda:InvokeFunction validator',
      'sweep-uploads: lambda:InvokeFunction validator',
    ]);
  });

  it('names the sweep function in a stack output, for the operator command that runs it now', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const output = template.toJSON().Outputs?.SweepFunctionName;

    // assess
    expect(output?.Value).toEqual({ Ref: logicalIdOf(stack.validation.sweep) });
  });
});

describe('validator', () => {
  it('is run by S3 for objects created under incoming/ and nothing else', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const notifications = Object.values(resourcesOf(template, 'Custom::S3BucketNotifications'));

    // assess
    expect(notifications).toHaveLength(1);
    expect(notifications[0]?.Properties.BucketName).toEqual({ Ref: logicalIdOf(stack.storage.bucket) });
    expect(notifications[0]?.Properties.NotificationConfiguration).toEqual({
      LambdaFunctionConfigurations: [
        {
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: bucketLayout.incomingPrefix }] } },
          LambdaFunctionArn: arnOf(logicalIdOf(stack.validation.validator)),
        },
      ],
    });
  });

  it('retries a failed event twice, then sends it to the failure queue', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const configs = Object.values(resourcesOf(template, 'AWS::Lambda::EventInvokeConfig'));

    // assess
    expect(configs).toHaveLength(1);
    expect(configs[0]?.Properties).toMatchObject({
      FunctionName: { Ref: logicalIdOf(stack.validation.validator) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arnOf(logicalIdOf(stack.validation.failures)) } },
    });
  });

  it('keeps failed events encrypted with the operations key, reachable over TLS only', () => {
    // prepare
    const { stack, template } = defaultStack();
    const queueId = logicalIdOf(stack.validation.failures);

    // act
    const queue = resourcesOf(template, 'AWS::SQS::Queue')[queueId];
    const policy = Object.values(resourcesOf(template, 'AWS::SQS::QueuePolicy')).find((candidate) =>
      asList(candidate.Properties.Queues).some((ref: any) => ref.Ref === queueId),
    );

    // assess
    expect(queue?.Properties.KmsMasterKeyId).toEqual(arnOf(logicalIdOf(stack.monitoring.key)));
    expect(policy?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Resource: arnOf(queueId),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

describe('monitoring', () => {
  const alarmsOf = (template: Template) => Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));

  it('encrypts the notification topic with the operations key', () => {
    // prepare
    const { stack, template } = defaultStack();

    // act
    const topics = Object.values(resourcesOf(template, 'AWS::SNS::Topic'));

    // assess
    expect(topics).toHaveLength(1);
    expect(topics[0]?.Properties.KmsMasterKeyId).toEqual(arnOf(logicalIdOf(stack.monitoring.key)));
  });

  it('alarms to the topic on every function’s errors and throttles, API 5xx and failed validations', () => {
    // prepare
    const { stack, template } = defaultStack();
    const topic = { Ref: logicalIdOf(stack.monitoring.topic) };
    const alarmOn = (namespace: string, metric: string, dimensions: unknown[]) =>
      expect.objectContaining({
        Namespace: namespace,
        MetricName: metric,
        Dimensions: dimensions,
        AlarmActions: [topic],
      });

    // act
    const alarms = alarmsOf(template).map((alarm) => alarm.Properties);

    // assess
    const functionAlarms = [...functionsByHandler(stack).values()].flatMap((functionId) =>
      ['Errors', 'Throttles'].map((metric) =>
        alarmOn('AWS/Lambda', metric, [{ Name: 'FunctionName', Value: { Ref: functionId } }]),
      ),
    );
    expect(alarms).toEqual(
      expect.arrayContaining([
        ...functionAlarms,
        alarmOn('AWS/ApiGateway', '5xx', [
          { Name: 'ApiId', Value: { Ref: logicalIdOf(stack.api.httpApi) } },
          { Name: 'Stage', Value: 'v1' },
        ]),
        alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack.validation.failures), 'QueueName'] } },
        ]),
      ]),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
  });

  it.each([
    ['subscribes no one when no alarm e-mail is set', defaultStack, []],
    ['subscribes the alarm e-mail an operator sets', operatorStack, ['ops@example.com']],
  ])('%s', (_name, build, emails) => {
    // prepare
    const { stack, template } = build();

    // act
    const subscriptions = Object.values(resourcesOf(template, 'AWS::SNS::Subscription'));

    // assess
    expect(subscriptions.map((subscription) => subscription.Properties)).toEqual(
      emails.map((email) => ({
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: logicalIdOf(stack.monitoring.topic) },
      })),
    );
  });
});

describe('outputs', () => {
  it('tells the operator where the API, user pool, client, bucket and topic are', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const outputs = Object.keys(template.findOutputs('*'));

    // assess
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'BucketName', 'NotificationTopicArn']),
    );
  });
});

describe('settings', () => {
  it('ships in cdk.json the limits the local system and the web app use (contracts/limits.ts)', () => {
    // act
    const shipped = {
      maxFileBytes: contextDefaults['docdrop:maxFileBytes'],
      defaultQuotaBytes: contextDefaults['docdrop:defaultQuotaBytes'],
      maxImagePixels: contextDefaults['docdrop:maxImagePixels'],
    };

    // assess
    expect(shipped).toEqual({
      maxFileBytes: limits.maxFileBytes,
      defaultQuotaBytes: limits.quota.defaultBytes,
      maxImagePixels: limits.maxImagePixels,
    });
  });

  it('hands the image pixel limit to the validator', () => {
    // prepare
    const { stack, template } = buildStack({ 'docdrop:maxImagePixels': '24000000' });

    // act
    const validator = template.toJSON().Resources[logicalIdOf(stack.validation.validator)];

    // assess
    expect(validator.Properties.Environment.Variables.MAX_IMAGE_PIXELS).toBe('24000000');
  });

  it('hands the storage quota to the functions that reserve against it or report it, and to no other', () => {
    // prepare
    const { stack, template } = buildStack({ 'docdrop:defaultQuotaBytes': '5368709120' });

    // act
    const withQuota = [...functionsByHandler(stack)]
      .filter(
        ([, functionId]) =>
          template.toJSON().Resources[functionId].Properties.Environment?.Variables?.DEFAULT_QUOTA_BYTES,
      )
      .map(([handler, functionId]) => [
        handler,
        template.toJSON().Resources[functionId].Properties.Environment.Variables.DEFAULT_QUOTA_BYTES,
      ]);

    // assess
    expect(Object.fromEntries(withQuota)).toEqual({
      'presign-upload': '5368709120',
      'get-usage': '5368709120',
      'describe-me': '5368709120',
    });
  });

  it('builds with a per-file limit above a single PUT (multipart carries it) and hands it to the functions that check it', () => {
    // prepare
    const sixGiB = 6 * 1024 ** 3;
    const { stack, template } = buildStack({ 'docdrop:maxFileBytes': String(sixGiB) });

    // act
    const withLimit = [...functionsByHandler(stack)]
      .map(([handler, functionId]) => [
        handler,
        template.toJSON().Resources[functionId].Properties.Environment.Variables.MAX_FILE_BYTES,
      ])
      .filter(([, value]) => value !== undefined);

    // assess
    expect(Object.fromEntries(withLimit)).toEqual({ 'create-link': String(sixGiB), 'presign-upload': String(sixGiB) });
  });

  it('hands the audit retention to every function that writes the trail, and to no other', () => {
    // prepare
    const { stack, template } = buildStack({ 'docdrop:auditRetentionDays': '90' });
    const names = resourceNames(stack);

    // act
    const functions = [...functionsByHandler(stack)].map(([handler, functionId]) => ({
      handler,
      writesTrail: describeGrants(roleStatements(template, functionId), names).includes('dynamodb:PutItem audit'),
      retention: template.toJSON().Resources[functionId].Properties.Environment?.Variables?.AUDIT_RETENTION_DAYS,
    }));

    // assess
    expect(functions.filter((fn) => fn.writesTrail).length).toBeGreaterThan(5);
    for (const fn of functions) expect(fn.retention, fn.handler).toBe(fn.writesTrail ? '90' : undefined);
  });

  it.each([
    ['docdrop:defaultQuotaBytes', 0],
    ['docdrop:defaultQuotaBytes', 'a lot'],
    ['docdrop:auditRetentionDays', 0],
    ['docdrop:auditRetentionDays', 1.5],
    ['docdrop:maxFileBytes', -1],
    // Above S3's largest object (10,000 parts of 5 GiB): no upload could carry it.
    ['docdrop:maxFileBytes', s3Limits.maxObjectBytes + 1],
    ['docdrop:maxImagePixels', 0],
    ['docdrop:maxImagePixels', 'lots'],
    ['docdrop:webOrigins', 'ftp://x'],
    ['docdrop:webOrigins', ['https://docs.example.com', 'javascript:alert(1)']],
    ['docdrop:priceClass', 'PriceClass_Cheapest'],
    ['docdrop:webDomainName', 'Docs.Example.com'],
    ['docdrop:webCertificateArn', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc'],
    ['docdrop:webDomainName', 'docs.example.com'],
    ['docdrop:webCertificateArn', 'arn:aws:acm:us-east-1:123456789012:certificate/abc'],
    ['docdrop:noncurrentVersionDays', 0],
    ['docdrop:alarmEmail', 'not-an-address'],
    ['docdrop:stageName', 'v1/admin'],
    ['docdrop:retainData', 'maybe'],
  ])('refuses to build with %s=%j and names the setting', (setting, value) => {
    // prepare
    const context = { [setting]: value };

    // act
    const build = () => buildStack(context);

    // assess
    expect(build).toThrow(setting);
  });
});
