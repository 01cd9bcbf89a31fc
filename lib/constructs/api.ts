import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { functionAccess } from '#contracts/function-access';
import { type ApiFunctionName, apiFunctions } from '#contracts/functions';
import { routeKey, routes } from '#contracts/routes';
import { apiCors } from '#contracts/web-security';
import type { Auth } from './auth';
import type { Data } from './data';
import { DocdropFunction } from './docdrop-function';
import type { Storage } from './storage';
import type { Validation } from './validation';

export interface ApiProps {
  readonly auth: Auth;
  readonly data: Data;
  readonly storage: Storage;
  /** The validator, which confirm asks to run on an upload whose event was lost. */
  readonly validation: Validation;
  /** Where the web app is served: link URLs point at `<webUrl>/u/#<token>`. */
  readonly webUrl: string;
  /**
   * Browser origins that may call the API cross-origin. The web app's own is not one: it reaches
   * the API under its own domain (`/api/*`), so it needs no CORS.
   */
  readonly corsOrigins: readonly string[];
  readonly maxFileBytes: number;
  readonly defaultQuotaBytes: number;
  readonly auditRetentionDays: number;
  readonly stageName: string;
  readonly throttleRatePerSecond: number;
  readonly throttleBurst: number;
  readonly logRetention: RetentionDays;
  readonly logsKey: IKey;
  readonly retainData: boolean;
}

/**
 * The HTTP API: one route per entry of the shared route table, one function per handler
 * folder. Owner routes carry a Cognito JWT authorizer (the handlers verify again); link and
 * public routes have none, and the handler checks the link token.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly functions: ReadonlyMap<string, DocdropFunction>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { auth, data, storage } = props;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: 'docdrop',
      createDefaultStage: false,
      ...(props.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: apiCors.allowMethods.map((method) => CorsHttpMethod[method]),
              allowHeaders: [...apiCors.allowHeaders],
              maxAge: Duration.seconds(apiCors.maxAgeSeconds),
            },
          }
        : {}),
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: props.stageName,
      autoDeploy: true,
      throttle: { rateLimit: props.throttleRatePerSecond, burstLimit: props.throttleBurst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No query strings, no headers: nothing here can carry a token.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            bytes: '$context.responseLength',
            userId: '$context.authorizer.claims.sub',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    const authorizer = new HttpUserPoolAuthorizer('Owners', auth.userPool, { userPoolClients: [auth.webClient] });
    const functions = new Map<ApiFunctionName, DocdropFunction>();
    for (const handler of apiFunctions) {
      const fn = new DocdropFunction(this, handler, {
        handler,
        logRetention: props.logRetention,
        logsKey: props.logsKey,
        removalPolicy,
      });
      fn.useDeclaredAccess(functionAccess[handler], {
        data,
        storage,
        auth,
        validation: props.validation.resources,
        settings: {
          WEB_BASE_URL: props.webUrl,
          MAX_FILE_BYTES: props.maxFileBytes,
          DEFAULT_QUOTA_BYTES: props.defaultQuotaBytes,
          AUDIT_RETENTION_DAYS: props.auditRetentionDays,
        },
      });
      functions.set(handler, fn);
    }
    this.functions = functions;

    const integrations = new Map(
      [...functions].map(([handler, fn]) => [handler, new HttpLambdaIntegration(`${handler}-integration`, fn)]),
    );
    for (const route of routes) {
      const httpRoute = new HttpRoute(this, routeKey(route), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration: integrations.get(route.handler) as HttpLambdaIntegration,
        ...(route.caller === 'owner' ? { authorizer } : {}),
      });
      if (route.caller !== 'owner') {
        NagSuppressions.addResourceSuppressions(httpRoute, [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              route.caller === 'link'
                ? 'Upload-link route: the handler authorises the X-Upload-Token (hashed lookup, expiry, uses, revocation); link holders have no Cognito identity.'
                : 'Public health check; it reads nothing.',
          },
        ]);
      }
    }

    new CfnOutput(scope, 'ApiUrl', {
      value: this.stage.url,
      description: 'Base URL of the API; routes start with api/',
    });
  }
}
