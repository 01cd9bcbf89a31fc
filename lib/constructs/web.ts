import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, Aws, DockerImage, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  type PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { contentSecurityPolicy, extraSecurityHeaders } from '#contracts/web-security';
import type { Api } from './api';
import type { Auth } from './auth';
import { PROJECT_ROOT } from './docdrop-function';

/** Every API route starts with it (contracts/routes.ts); CloudFront sends these paths to the API. */
export const API_PATH_PATTERN = '/api/*';

export interface WebProps {
  readonly auth: Auth;
  /** The documents bucket's origin as presigned URLs name it: the browser PUTs and GETs there. */
  readonly documentsOrigin: string;
  /** Receives the S3 server access logs of the site and CloudFront log buckets. */
  readonly accessLogs: IBucket;
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** The owner upload limit the API enforces; the app checks files against it before sending. */
  readonly maxFileBytes: number;
  /** A host name of the operator's own with its us-east-1 ACM certificate; otherwise the distribution's. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
  readonly logRetention: RetentionDays;
  /** Encrypts the deploy handler's log group. */
  readonly logsKey: IKey;
  readonly retainData: boolean;
}

/**
 * The web app: its build in a private bucket, served by CloudFront through origin access
 * control with security headers, `/u/` mapped to the drop page, the API under the same domain
 * (`serveApi`), and `config.json` written at deploy time with the deployed values.
 */
export class Web extends Construct {
  readonly bucket: Bucket;
  readonly distributionLogs: Bucket;
  readonly distribution: Distribution;
  readonly securityHeaders: ResponseHeadersPolicy;
  readonly directoryIndex: EdgeFunction;
  /** Hands the API the viewer's address (`VIEWER_ADDRESS_HEADER`). */
  readonly viewerAddress: EdgeFunction;
  /** `https://<host>` where the app is served, with no trailing slash; link URLs and the API start here. */
  readonly url: string;
  /** What `/config.json` holds. */
  readonly publicConfig: Readonly<Record<string, string | number | boolean>>;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const cognitoOrigin = `https://cognito-idp.${Aws.REGION}.${Aws.URL_SUFFIX}`;

    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Versions make a bad deploy easy to roll back by hand; replaced files go after 30 days.
      versioned: true,
      lifecycleRules: [{ id: 'expire-replaced-site-files', noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'web-site/',
      removalPolicy,
      autoDeleteObjects: !props.retainData,
    });
    NagSuppressions.addResourceSuppressions(this.bucket, [
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason:
          'The bucket holds the public web app (HTML, scripts, styles) that CloudFront serves to anyone; a customer key would only add a key policy trusting CloudFront.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason:
          'The site is rebuilt from the repository on every deploy; a replica would hold nothing that cannot be rebuilt.',
      },
    ]);

    // CloudFront's standard logs are delivered with an object ACL, so this bucket keeps ACLs enabled.
    this.distributionLogs = new Bucket(this, 'DistributionLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-distribution-logs',
          expiration: Duration.days(365),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'web-distribution-logs/',
      removalPolicy,
      autoDeleteObjects: !props.retainData,
    });
    NagSuppressions.addResourceSuppressions(this.distributionLogs, [
      {
        id: 'NIST.800.53.R5-S3DefaultEncryptionKMS',
        reason:
          'CloudFront standard logs are written by the log delivery service; SSE-S3 needs no key policy for it, as for the S3 access log bucket.',
      },
      {
        id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
        reason: 'Access logs are kept in one region; replication is an operator choice, not a default.',
      },
    ]);

    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      responseHeadersPolicyName: accountWideName(this, 'SecurityHeaders'),
      comment: 'docdrop: CSP, HSTS, nosniff, no referrer, no framing',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy({ documents: props.documentsOrigin, cognito: cognitoOrigin }),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
      customHeadersBehavior: {
        customHeaders: Object.entries(extraSecurityHeaders).map(([header, value]) => ({
          header,
          value,
          override: true,
        })),
      },
    });

    this.directoryIndex = new EdgeFunction(this, 'DirectoryIndex', {
      comment: 'docdrop: /u/ serves u/index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromFile({ filePath: join(PROJECT_ROOT, 'lib', 'constructs', 'web-directory-index.js') }),
    });

    this.viewerAddress = new EdgeFunction(this, 'ViewerAddress', {
      comment: "docdrop: the viewer's address for the API's audit trail",
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromFile({ filePath: join(PROJECT_ROOT, 'lib', 'constructs', 'web-viewer-address.js') }),
    });

    const domain = props.customDomain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'docdrop web app and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, 'SiteAccess', {
            originAccessControlName: accountWideName(this, 'SiteAccess'),
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [{ function: this.directoryIndex, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      // The setting's values are CloudFront's own names of its price classes.
      priceClass: props.priceClass as PriceClass,
      enableLogging: true,
      logBucket: this.distributionLogs,
      logFilePrefix: 'distribution/',
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    NagSuppressions.addResourceSuppressions(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Clients upload from wherever they are; a geo restriction is an operator choice, not a default.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'AWS WAF costs at least $5 a month plus rules, more than the rest of an idle stack; every API route validates its input, owner routes need a Cognito JWT, link routes a link token, and the stage is throttled.',
      },
      ...(domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'Without webDomainName the distribution uses its own *.cloudfront.net certificate, whose security policy CloudFront fixes; setting webDomainName and webCertificateArn applies TLSv1.2_2021.',
            },
          ]),
    ]);

    this.url = `https://${domain ? domain.domainName : this.distribution.distributionDomainName}`;
    this.publicConfig = {
      // Same origin: the API is under /api/* of the app's own domain.
      apiUrl: this.url,
      region: Aws.REGION,
      userPoolId: props.auth.userPool.userPoolId,
      userPoolClientId: props.auth.webClient.userPoolClientId,
      cognitoEndpoint: `${cognitoOrigin}/`,
      maxFileBytes: props.maxFileBytes,
      requireMfa: props.auth.requireMfa,
    };

    // Hashed file names never change content: cached for a year. Old ones are kept (no prune), so a
    // page loaded before a deploy still finds its scripts.
    const build = webBuild();
    // CDK's deploy handler (one function for both deployments) logs here, encrypted like every log group.
    const logGroup = new LogGroup(this, 'DeployLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy,
    });
    const assets = new BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      sources: [build],
      exclude: ['*'],
      include: ['assets/*'],
      prune: false,
      logGroup,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
    });
    // Pages and config.json: browsers revalidate each time; the edges keep them until the next
    // deploy, which invalidates them.
    const pages = new BucketDeployment(this, 'DeployPages', {
      destinationBucket: this.bucket,
      sources: [build, Source.jsonData('config.json', this.publicConfig)],
      exclude: ['assets/*'],
      cacheControl: [
        CacheControl.setPublic(),
        CacheControl.maxAge(Duration.seconds(0)),
        CacheControl.sMaxAge(Duration.days(1)),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      logGroup,
    });
    pages.node.addDependency(assets);
    suppressDeployHandlerFindings(Stack.of(this));
  }

  /**
   * Routes `/api/*` to the HTTP API's stage: same origin for the app, so no CORS; nothing cached;
   * every viewer header but Host (Authorization, X-Upload-Token included) reaches the API.
   */
  serveApi(api: Api): void {
    const stack = Stack.of(this);
    const apiDomain = `${api.httpApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    this.distribution.addBehavior(
      API_PATH_PATTERN,
      // A named stage is the first path segment: /api/health reaches /<stage>/api/health, the route GET /api/health.
      new HttpOrigin(apiDomain, {
        originPath: `/${api.stage.stageName}`,
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      }),
      {
        // A redirect would turn a POST into a GET; plain HTTP is refused instead.
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.securityHeaders,
        functionAssociations: [{ function: this.viewerAddress, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
    );
  }
}

/**
 * CloudFront's policies and access controls are named per account, not per region: the region in
 * the name lets one stack be deployed to two regions of an account. At most 61 characters.
 */
const accountWideName = (scope: Construct, id: string): string =>
  `${Names.uniqueResourceName(scope, { maxLength: 30 })}-${id}-${Aws.REGION}`;

/** cdk-nag's findings on CDK's own deploy handler (a singleton at the stack's root), each with its reason. */
function suppressDeployHandlerFindings(stack: Stack): void {
  for (const handler of stack.node.children.filter((child) =>
    child.node.id.startsWith('Custom::CDKBucketDeployment'),
  )) {
    NagSuppressions.addResourceSuppressions(
      handler,
      [
        {
          id: 'AwsSolutions-L1',
          reason:
            'CDK’s BucketDeployment handler (Python, with the AWS CLI layer): aws-cdk-lib chooses and updates its runtime.',
        },
        {
          id: 'AwsSolutions-IAM4',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
          reason: 'AWSLambdaBasicExecutionRole only lets the deploy handler write its own logs.',
        },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [
            'Action::s3:GetBucket*',
            'Action::s3:GetObject*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            {
              regex:
                '/^Resource::arn:<AWS::Partition>:s3:::cdk-[a-z0-9]+-assets-<AWS::AccountId>-<AWS::Region>\\/\\*$/',
            },
            { regex: '/^Resource::<WebSite[0-9A-F]+\\.Arn>\\/\\*$/' },
          ],
          reason:
            'The deploy handler reads the web build from the CDK asset bucket and writes, replaces and prunes files of the site bucket only (CDK’s grantRead and grantReadWrite).',
        },
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: ['Resource::*'],
          reason: 'cloudfront:CreateInvalidation and GetInvalidation take no resource narrower than *.',
        },
        {
          id: 'NIST.800.53.R5-IAMNoInlinePolicy',
          reason: 'The deploy handler’s role policy is generated by CDK from the two buckets it touches.',
        },
        {
          id: 'NIST.800.53.R5-LambdaConcurrency',
          reason: 'Runs only during a deploy, once per deployment of the site.',
        },
        {
          id: 'NIST.800.53.R5-LambdaDLQ',
          reason: 'Invoked synchronously by CloudFormation, which fails the deploy on an error; nothing is lost.',
        },
        {
          id: 'NIST.800.53.R5-LambdaInsideVPC',
          reason:
            'Reaches only S3 and CloudFront APIs over TLS with IAM; a VPC would add NAT cost and protect nothing more.',
        },
      ],
      true,
    );
  }
}

/**
 * The web app's production build (web/build.ts) as an asset, made at synth time on this machine:
 * no Docker. CDK's local bundling hook is synchronous, so the build runs in a child process.
 */
function webBuild() {
  return Source.asset(join(PROJECT_ROOT, 'web'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never used: tryBundle builds or fails, it never defers to Docker.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string): boolean {
          const result = spawnSync(
            process.execPath,
            ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'build-web.ts'), outputDir],
            { cwd: PROJECT_ROOT, stdio: 'inherit' },
          );
          if (result.status !== 0) throw new Error(`the web build failed (exit ${result.status ?? result.signal})`);
          return true;
        },
      },
    },
  });
}
