import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Template } from 'aws-cdk-lib/assertions';
import { CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { routes } from '#contracts/routes';
import { VIEWER_ADDRESS_HEADER } from '#contracts/web-security';
import { createS3Client } from '../../functions/commons/clients';
import {
  type BuiltStack,
  buildStack,
  defaultStack,
  evaluate,
  logicalIdOf,
  PROJECT_ROOT,
  PSEUDO_PARAMETERS,
} from './support';

const CUSTOM_DOMAIN_CONTEXT = {
  'docdrop:webDomainName': 'docs.example.com',
  'docdrop:webCertificateArn': 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9',
  'docdrop:priceClass': 'PriceClass_All',
  'docdrop:stageName': 'prod',
};

let customDomainBuild: BuiltStack | undefined;
const customDomainStack = (): BuiltStack => {
  customDomainBuild ??= buildStack(CUSTOM_DOMAIN_CONTEXT);
  return customDomainBuild;
};

type Resource = { Type: string; Properties: any; DependsOn?: string[] };

const resourcesOf = (template: Template, type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

const distributionConfigOf = (built: BuiltStack) =>
  resourcesOf(built.template, 'AWS::CloudFront::Distribution')[logicalIdOf(built.stack.web.distribution)]?.Properties
    .DistributionConfig;

const apiBehaviourOf = (built: BuiltStack) =>
  (distributionConfigOf(built).CacheBehaviors as any[]).find((behaviour) => behaviour.PathPattern === '/api/*');

/** What the stand-in stack's references resolve to when a test evaluates its values. */
const DISTRIBUTION_DOMAIN = 'd111111abcdef8.cloudfront.net';
const referencesOf = (built: BuiltStack): Record<string, string> => ({
  [`${logicalIdOf(built.stack.web.distribution)}.DomainName`]: DISTRIBUTION_DOMAIN,
  [logicalIdOf(built.stack.auth.userPool)]: 'eu-west-1_AbCdEf123',
  [logicalIdOf(built.stack.auth.webClient)]: '4example0client0id0abcdefg',
});

const STACK_UUID = PSEUDO_PARAMETERS['AWS::StackId']?.split('/')[2];
const DOCUMENTS_ORIGIN = `https://docdrop-documents-${STACK_UUID}.s3.eu-west-1.amazonaws.com`;

/** The CloudFront Function's code, run as CloudFront runs it: a top-level `handler(event)`. */
const directoryIndexSource = readFileSync(join(PROJECT_ROOT, 'lib/constructs/web-directory-index.js'), 'utf8');
const directoryIndex = new Function(`${directoryIndexSource}\nreturn handler;`)() as (event: unknown) => any;
const viewerAddressSource = readFileSync(join(PROJECT_ROOT, 'lib/constructs/web-viewer-address.js'), 'utf8');
const viewerAddress = new Function(`${viewerAddressSource}\nreturn handler;`)() as (event: unknown) => any;
const viewerRequest = (uri: string) => ({
  version: '1.0',
  context: { eventType: 'viewer-request', distributionDomainName: DISTRIBUTION_DOMAIN },
  viewer: { ip: '198.51.100.7' },
  request: { method: 'GET', uri, querystring: {}, headers: { host: { value: DISTRIBUTION_DOMAIN } }, cookies: {} },
});

describe('web site bucket', () => {
  it('blocks all public access and encrypts at rest, as does the CloudFront log bucket', () => {
    // prepare
    const { stack, template } = defaultStack();
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');

    // act
    const found = [stack.web.bucket, stack.web.distributionLogs].map((bucket) => buckets[logicalIdOf(bucket)]);

    // assess
    for (const bucket of found) {
      expect(bucket?.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket?.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
    }
  });

  it('refuses every request to either bucket that does not use TLS', () => {
    // prepare
    const { stack, template } = defaultStack();
    const policies = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy'));

    // act
    const found = [stack.web.bucket, stack.web.distributionLogs].map((bucket) => {
      const id = logicalIdOf(bucket);
      return { id, policy: policies.find((candidate) => candidate.Properties.Bucket?.Ref === id) };
    });

    // assess
    for (const { id, policy } of found) {
      expect(policy?.Properties.PolicyDocument.Statement, id).toContainEqual({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('writes server access logs of both buckets to the access log bucket', () => {
    // prepare
    const { stack, template } = defaultStack();
    const buckets = resourcesOf(template, 'AWS::S3::Bucket');

    // act
    const found = [stack.web.bucket, stack.web.distributionLogs].map((bucket) => buckets[logicalIdOf(bucket)]);

    // assess
    for (const bucket of found) {
      expect(bucket?.Properties.LoggingConfiguration?.DestinationBucketName).toEqual({
        Ref: logicalIdOf(stack.storage.accessLogs),
      });
    }
  });

  it('lets only this distribution read the site, through origin access control', () => {
    // prepare
    const { stack, template } = defaultStack();
    const siteId = logicalIdOf(stack.web.bucket);

    // act
    const policy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).find(
      (candidate) => candidate.Properties.Bucket?.Ref === siteId,
    );
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as any[];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');

    // assess
    expect(allows).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteId, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: logicalIdOf(stack.web.distribution) },
                ],
              ],
            },
          },
        },
      },
    ]);
  });
});

describe('web distribution', () => {
  it('reaches the site bucket with origin access control signing every request, not an origin access identity', () => {
    // prepare
    const built = defaultStack();
    const siteId = logicalIdOf(built.stack.web.bucket);

    // act
    const origin = (distributionConfigOf(built).Origins as any[]).find(
      (candidate) => candidate.DomainName?.['Fn::GetAtt']?.[0] === siteId,
    );
    const controlId = origin?.OriginAccessControlId?.['Fn::GetAtt']?.[0];
    const control = resourcesOf(built.template, 'AWS::CloudFront::OriginAccessControl')[controlId];

    // assess
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(control?.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
  });

  it('names its account-wide CloudFront policy and access control per region, within CloudFront’s limits', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const names = [
      ...Object.values(resourcesOf(template, 'AWS::CloudFront::OriginAccessControl')).map(
        (control) => control.Properties.OriginAccessControlConfig.Name,
      ),
      ...Object.values(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy')).map(
        (policy) => policy.Properties.ResponseHeadersPolicyConfig.Name,
      ),
    ].map((name) => evaluate(name, { 'AWS::Region': 'ap-southeast-2' }));

    // assess
    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name).toMatch(/^[\w-]+-ap-southeast-2$/);
      expect(name.length).toBeLessThanOrEqual(64);
    }
  });

  it('serves the app over HTTPS only, index.html at the root, logging every request', () => {
    // prepare
    const built = defaultStack();

    // act
    const config = distributionConfigOf(built);

    // assess
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalIdOf(built.stack.web.distributionLogs), 'RegionalDomainName'] },
      Prefix: 'distribution/',
    });
  });

  it.each([
    ['PriceClass_100 by default', defaultStack, 'PriceClass_100'],
    ['the price class an operator sets', customDomainStack, 'PriceClass_All'],
  ])('uses %s', (_name, build, priceClass) => {
    // prepare
    const built = build();

    // act
    const config = distributionConfigOf(built);

    // assess
    expect(config.PriceClass).toBe(priceClass);
  });

  it('serves a custom domain with its certificate and TLS 1.2 or later only', () => {
    // prepare
    const built = customDomainStack();

    // act
    const config = distributionConfigOf(built);

    // assess
    expect(config.Aliases).toEqual(['docs.example.com']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn: CUSTOM_DOMAIN_CONTEXT['docdrop:webCertificateArn'],
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
  });

  it('sends the exact Content-Security-Policy and the other security headers on the app and the API', () => {
    // prepare
    const built = defaultStack();
    const policyId = logicalIdOf(built.stack.web.securityHeaders);
    const config = distributionConfigOf(built);

    // act
    const policyConfig = resourcesOf(built.template, 'AWS::CloudFront::ResponseHeadersPolicy')[policyId]?.Properties
      .ResponseHeadersPolicyConfig;
    const headers = policyConfig.SecurityHeadersConfig;

    // assess
    expect(evaluate(headers.ContentSecurityPolicy.ContentSecurityPolicy)).toBe(
      "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; " +
        `img-src 'self' data: blob: ${DOCUMENTS_ORIGIN}; ` +
        `connect-src 'self' ${DOCUMENTS_ORIGIN} https://cognito-idp.eu-west-1.amazonaws.com; ` +
        "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    );
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toEqual({
      AccessControlMaxAgeSec: 31_536_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    // The same further headers the local gateway sends with its pages.
    expect(policyConfig.CustomHeadersConfig.Items).toEqual([
      { Header: 'cross-origin-opener-policy', Value: 'same-origin', Override: true },
      {
        Header: 'permissions-policy',
        Value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
        Override: true,
      },
    ]);
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    expect(apiBehaviourOf(built).ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('names in the policy the documents bucket origin that presigned URLs use', async () => {
    // prepare
    const { stack, template } = defaultStack();
    const bucketName = evaluate(
      resourcesOf(template, 'AWS::S3::Bucket')[logicalIdOf(stack.storage.bucket)]?.Properties.BucketName,
    );
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_REGION: PSEUDO_PARAMETERS['AWS::Region'],
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      S3_ENDPOINT: '',
    });

    // act
    const url = await getSignedUrl(
      createS3Client(),
      new PutObjectCommand({ Bucket: bucketName, Key: 'incoming/owner/file' }),
      { expiresIn: 60 },
    ).finally(() => {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, saved);
    });

    // assess
    expect(new URL(url).origin).toBe(DOCUMENTS_ORIGIN);
    expect(evaluate(stack.resolve(stack.storage.browserOrigin))).toBe(DOCUMENTS_ORIGIN);
  });
});

describe('the API under the web domain', () => {
  it.each([
    ['v1 by default', defaultStack, '/v1'],
    ['the stage an operator names', customDomainStack, '/prod'],
  ])('sends every route under /api/ to the API stage, %s, as the origin path', (_name, build, originPath) => {
    // prepare
    const built = build();
    const behaviour = apiBehaviourOf(built);

    // act
    const origin = (distributionConfigOf(built).Origins as any[]).find(
      (candidate) => candidate.Id === behaviour.TargetOriginId,
    );

    // assess
    for (const route of routes) expect(route.path.startsWith('/api/'), route.path).toBe(true);
    expect(evaluate(origin.DomainName, { [logicalIdOf(built.stack.api.httpApi)]: 'a1b2c3d4e5' })).toBe(
      'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    );
    expect(origin.OriginPath).toBe(originPath);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });

  it('forwards every viewer header but Host (Authorization, X-Upload-Token) and caches nothing', () => {
    // prepare
    const built = defaultStack();

    // act
    const behaviour = apiBehaviourOf(built);

    // assess
    // AWS's managed AllViewerExceptHostHeader policy: all viewer headers, cookies and query strings
    // except Host, which must be the API's own for API Gateway to route the request.
    expect(behaviour.OriginRequestPolicyId).toBe(
      OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
    );
    expect(behaviour.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    // Managed CachingDisabled: TTL 0, so no answer is ever served to another caller.
    expect(behaviour.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(behaviour.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(behaviour.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behaviour.ViewerProtocolPolicy).toBe('https-only');
  });
});

describe('viewer address function', () => {
  it('runs on every viewer request to the API, with the code tested here', () => {
    // prepare
    const built = defaultStack();
    const functionId = logicalIdOf(built.stack.web.viewerAddress);

    // act
    const fn = resourcesOf(built.template, 'AWS::CloudFront::Function')[functionId];

    // assess
    expect(fn?.Properties.FunctionCode).toBe(viewerAddressSource);
    expect(fn?.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(apiBehaviourOf(built).FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
  });

  it('hands the API the viewer’s address in the header the handlers read, over any value the viewer sent', () => {
    // prepare
    const event = viewerRequest('/api/files');
    event.request.headers = { ...event.request.headers, [VIEWER_ADDRESS_HEADER]: { value: '10.0.0.1' } } as never;

    // act
    const result = viewerAddress(event);

    // assess
    expect(result.headers[VIEWER_ADDRESS_HEADER]).toEqual({ value: '198.51.100.7' });
    expect(result.uri).toBe('/api/files');
    expect(result.headers.host).toEqual({ value: DISTRIBUTION_DOMAIN });
  });
});

describe('directory index function', () => {
  it('runs on every viewer request of the site, with the code tested here', () => {
    // prepare
    const built = defaultStack();
    const functionId = logicalIdOf(built.stack.web.directoryIndex);

    // act
    const fn = resourcesOf(built.template, 'AWS::CloudFront::Function')[functionId];

    // assess
    expect(fn?.Properties.FunctionCode).toBe(directoryIndexSource);
    expect(fn?.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(distributionConfigOf(built).DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
  });

  it.each([
    ['/u/', '/u/index.html'],
    ['/', '/index.html'],
    ['/some/folder/', '/some/folder/index.html'],
  ])('serves %s from %s', (uri, expected) => {
    // prepare
    const event = viewerRequest(uri);

    // act
    const result = directoryIndex(event);

    // assess
    expect(result).toMatchObject({ method: 'GET', uri: expected });
  });

  it.each(['/u/index.html', '/index.html', '/config.json', '/assets/app-3f2a9c1b.js'])('passes %s through', (uri) => {
    // prepare
    const event = viewerRequest(uri);

    // act
    const result = directoryIndex(event);

    // assess
    expect(result).toMatchObject({ method: 'GET', uri });
  });

  it('redirects /u to /u/, where the browser keeps the #token fragment', () => {
    // prepare
    const event = viewerRequest('/u');

    // act
    const result = directoryIndex(event);

    // assess
    expect(result).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/u/' } },
    });
  });
});

describe('config.json', () => {
  /** The pages deployment and its `config.json` as written at deploy time, markers filled in. */
  function deployedConfig(built: BuiltStack): Record<string, unknown> {
    const deployments = Object.values(resourcesOf(built.template, 'Custom::CDKBucketDeployment'));
    const pages = deployments.find((deployment) => deployment.Properties.SourceMarkers);
    if (!pages) throw new Error('no deployment writes config.json');
    const allMarkers = pages.Properties.SourceMarkers as Record<string, unknown>[];
    const index = allMarkers.findIndex((markers) => Object.keys(markers).length > 0);
    const assetHash = String(pages.Properties.SourceObjectKeys[index]).replace(/\.zip$/, '');
    const staged = join(built.app.outdir, `asset.${assetHash}`, 'config.json');
    let text = readFileSync(staged, 'utf8');
    for (const [marker, value] of Object.entries(allMarkers[index] ?? {})) {
      text = text.replaceAll(marker, evaluate(value, referencesOf(built)));
    }
    return JSON.parse(text);
  }

  it('is written at deploy time with the deployed addresses, the same keys as the local system serves', () => {
    // prepare
    const built = defaultStack();

    // act
    const config = deployedConfig(built);

    // assess
    expect(config).toEqual({
      apiUrl: `https://${DISTRIBUTION_DOMAIN}`,
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
      userPoolClientId: '4example0client0id0abcdefg',
      cognitoEndpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
      // cdk.json's default, which is the limit the local system uses.
      maxFileBytes: limits.maxFileBytes,
      requireMfa: false,
    });
  });

  it('tells the app when docdrop:requireMfa is on, so it offers no way to turn TOTP off', () => {
    // prepare
    const built = buildStack({ 'docdrop:requireMfa': 'true' });

    // act
    const config = deployedConfig(built);

    // assess
    expect(config.requireMfa).toBe(true);
  });

  it('tells the app the owner upload limit the operator set, which the API enforces', () => {
    // prepare
    const built = buildStack({ 'docdrop:maxFileBytes': 1024 * 1024 * 1024 });

    // act
    const config = deployedConfig(built);

    // assess
    expect(config.maxFileBytes).toBe(1024 * 1024 * 1024);
  });

  it('points the app at the custom domain when there is one', () => {
    // prepare
    const built = customDomainStack();

    // act
    const config = deployedConfig(built);

    // assess
    expect(config.apiUrl).toBe('https://docs.example.com');
  });

  it('is deployed beside the build, which never carries one of its own, and invalidates the cached pages', () => {
    // prepare
    const { template } = defaultStack();

    // act
    const deployments = Object.values(resourcesOf(template, 'Custom::CDKBucketDeployment'));
    const pages = deployments.find((deployment) => deployment.Properties.SourceMarkers);

    // assess
    expect(pages?.Properties.SourceObjectKeys).toHaveLength(2);
    expect(pages?.Properties.DistributionPaths).toEqual(['/*']);
    expect(pages?.Properties.SystemMetadata['cache-control']).toBe('public, max-age=0, s-maxage=86400');
  });
});

describe('links and uploads follow the web address', () => {
  it.each([
    ['the distribution by default', defaultStack, `https://${DISTRIBUTION_DOMAIN}`],
    ['the custom domain when there is one', customDomainStack, 'https://docs.example.com'],
  ])('points link URLs and the documents bucket CORS at %s', (_name, build, origin) => {
    // prepare
    const built = build();
    const resources = built.template.toJSON().Resources;

    // act
    const linkFunction = resources[logicalIdOf(built.stack.api.functions.get('create-link') as any)];
    const cors = resources[logicalIdOf(built.stack.storage.bucket)].Properties.CorsConfiguration.CorsRules;

    // assess
    expect(evaluate(linkFunction.Properties.Environment.Variables.WEB_BASE_URL, referencesOf(built))).toBe(origin);
    expect(cors).toHaveLength(1);
    expect(cors[0].AllowedOrigins.map((value: unknown) => evaluate(value, referencesOf(built)))).toEqual([origin]);
  });
});
