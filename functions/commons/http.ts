import { isIP } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { dependencyCalls, limits } from '#contracts/limits';
import { QUOTA_REFUSAL_CODE } from '#contracts/metrics';
import { type RouteDefinition, routeKey, routes } from '#contracts/routes';
import { VIEWER_ADDRESS_HEADER } from '#contracts/web-security';
import * as z from '#contracts/zod';
import type { AuditOrigin } from '#domain/audit/audit-trail';
import type { UploadLink } from '#domain/links/upload-links';
import { runWithinDeadline } from './call-bounds';
import { AppError, Invalid, ServiceUnavailable, TooLarge } from './errors';
import { logger } from './logger';
import { addMetric, countBrokenDown, publishInvocationMetrics } from './metrics';
import { isTransientFailure } from './transient-failures';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Who is calling, once the route's authenticator has accepted them. */
export type Caller =
  | { readonly kind: 'owner'; readonly ownerId: string }
  | { readonly kind: 'link'; readonly linkId: string; readonly ownerId: string; readonly link: UploadLink }
  | { readonly kind: 'public' };

export type Authenticate = (route: RouteDefinition, event: HttpEvent) => Promise<Caller>;

export interface Request<Body, Params, Query> {
  readonly body: Body;
  readonly params: Params;
  readonly query: Query;
  readonly caller: Caller;
  readonly route: RouteDefinition;
  readonly requestId: string;
  readonly sourceIp: string;
  /** The caller, request id and address, as every audit entry of this request records them. */
  readonly origin: AuditOrigin;
}

export interface Response {
  readonly status: number;
  readonly body?: unknown;
}

interface Spec<Body, Params, Query> {
  readonly authenticate: Authenticate;
  readonly body?: z.core.$ZodType<Body>;
  readonly params?: z.core.$ZodType<Params>;
  readonly query?: z.core.$ZodType<Query>;
  /** This route's deadline for its dependencies, when not `dependencyCalls.requestDeadlineMs` (see `completionCalls`). */
  readonly requestDeadlineMs?: number;
}

const ROUTES_BY_KEY = new Map<string, RouteDefinition>(routes.map((route) => [routeKey(route), route]));

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export const json = (status: number, body?: unknown, headers?: Record<string, string>): HttpResult => ({
  statusCode: status,
  headers: headers ? { ...HEADERS, ...headers } : HEADERS,
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

export function errorResult(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): HttpResult {
  return json(status, { error: { code, message } }, headers);
}

/** Why a request that ran out of time answers 503: its dependencies were too slow, not its input wrong. */
class RequestDeadlinePassed extends ServiceUnavailable {}

/**
 * How long this request may wait for its dependencies: `requestDeadlineMs`, and never past
 * the function's own timeout less the time to log and answer.
 */
function deadlineOf(context: Context, requestDeadlineMs: number): number {
  return Math.max(0, Math.min(requestDeadlineMs, context.getRemainingTimeInMillis() - dependencyCalls.answerMarginMs));
}

/**
 * Runs `work` within the deadline: past it, in-flight SDK calls are aborted (call-bounds.ts)
 * and the request answers 503, however many calls it was making.
 */
async function withinDeadline<T>(
  context: Context,
  work: () => Promise<T>,
  requestDeadlineMs: number = dependencyCalls.requestDeadlineMs,
): Promise<T> {
  const deadlineMs = deadlineOf(context, requestDeadlineMs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new RequestDeadlinePassed());
      controller.abort();
    }, deadlineMs);
  });
  try {
    return await Promise.race([runWithinDeadline(controller.signal, work), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A typed refusal for what the error says: its own, 503 for a dependency that failed for now, or nothing (a 500). */
function refusalOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  return isTransientFailure(error) ? new ServiceUnavailable() : undefined;
}

/**
 * Wraps a thin handler: finds its route, authenticates the caller, parses the body, path and
 * query with schemas, and maps typed errors to `{ error: { code, message } }`. A 500 says
 * nothing more than that; the log line has the details and the request id.
 */
export function httpHandler<Body = undefined, Params = undefined, Query = undefined>(
  spec: Spec<Body, Params, Query>,
  run: (request: Request<Body, Params, Query>) => Promise<Response>,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  return async (event, context) => {
    logger.addContext(context);
    logger.resetKeys();
    const requestId = event.requestContext.requestId;
    logger.appendKeys({ apiRequestId: requestId, route: event.routeKey });
    const started = Date.now();
    try {
      return await withinDeadline(
        context,
        async () => {
          const route = ROUTES_BY_KEY.get(event.routeKey);
          if (!route) throw new Error(`no route definition for ${event.routeKey}`);
          const caller = await spec.authenticate(route, event);
          logger.appendKeys(callerKeys(caller));
          const sourceIp = sourceAddressOf(event);
          const request: Request<Body, Params, Query> = {
            body: spec.body ? parse(spec.body, readJsonBody(event), 'body') : (undefined as Body),
            params: spec.params ? parse(spec.params, event.pathParameters ?? {}, 'path') : (undefined as Params),
            query: spec.query ? parse(spec.query, event.queryStringParameters ?? {}, 'query') : (undefined as Query),
            caller,
            route,
            requestId,
            sourceIp,
            origin: { actor: actorOf(caller), requestId, sourceIp },
          };
          if (request.sourceIp !== event.requestContext.http.sourceIp) {
            // The operator's logs keep the connection's own address beside the one CloudFront reported.
            logger.appendKeys({ viewerIp: request.sourceIp, peerIp: event.requestContext.http.sourceIp });
          }
          const response = await run(request);
          logger.info('request done', { status: response.status });
          return json(response.status, response.body);
        },
        spec.requestDeadlineMs,
      );
    } catch (error) {
      const refusal = refusalOf(error);
      if (refusal instanceof ServiceUnavailable) {
        // The cause is for the operator: which dependency, which call, how long it was given.
        logger.warn('dependency unavailable', {
          status: refusal.status,
          ms: Date.now() - started,
          deadlinePassed: refusal instanceof RequestDeadlinePassed,
          error: (refusal === error ? (refusal.cause ?? refusal) : error) as Error,
        });
        countRefusal(refusal.code);
        return errorResult(refusal.status, refusal.code, refusal.message, {
          'retry-after': String(refusal.retryAfterSeconds),
        });
      }
      if (refusal) {
        logger.info('request refused', { status: refusal.status, code: refusal.code, reason: refusal.message });
        countRefusal(refusal.code);
        return errorResult(refusal.status, refusal.code, refusal.message);
      }
      logger.error('request failed', error as Error);
      return errorResult(500, 'internal_error', `Something went wrong on our side. Request id: ${requestId}.`);
    } finally {
      publishInvocationMetrics(context.awsRequestId);
    }
  };
}

/** Every typed refusal by its code (a bounded set, defined in code); the quota's also on its own. */
function countRefusal(code: string): void {
  countBrokenDown('requestsRefused', code);
  if (code === QUOTA_REFUSAL_CODE) addMetric('quotaRefusals');
}

function callerKeys(caller: Caller): Record<string, string> {
  switch (caller.kind) {
    case 'owner':
      return { userId: caller.ownerId };
    case 'link':
      return { linkId: caller.linkId, linkOwnerId: caller.ownerId };
    case 'public':
      return {};
  }
}

function readJsonBody(event: HttpEvent): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > limits.requestBodyMaxBytes) {
    throw new TooLarge('body_too_large', `The request body is larger than ${limits.requestBodyMaxBytes} bytes.`);
  }
  if (bytes.length === 0) throw new Invalid('invalid_body', 'A JSON body is required.');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Invalid('invalid_json', 'The request body is not valid JSON.');
  }
}

const MAX_ISSUE_CHARS = 120;

/** Issue text for a client: unknown field names are not echoed (they may be huge or hostile), and every part is capped. */
function describeIssue(issue: z.core.$ZodIssue, where: string): string {
  const path = issue.path.length > 0 ? issue.path.map(String).join('.').slice(0, 60) : where;
  const message = issue.code === 'unrecognized_keys' ? 'unknown fields are not accepted' : issue.message;
  return `${path}: ${message.slice(0, MAX_ISSUE_CHARS)}`;
}

function parse<T>(schema: z.core.$ZodType<T>, input: unknown, where: string): T {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => describeIssue(issue, where));
  throw new Invalid(`invalid_${where}`, `Invalid ${where}: ${problems.join('; ')}.`);
}

/** The owner behind an owner route (the route table guarantees the kind; this keeps the types honest). */
export function ownerIdOf(caller: Caller): string {
  if (caller.kind !== 'owner') throw new Error(`expected an owner caller, got ${caller.kind}`);
  return caller.ownerId;
}

/** The link behind a link route. */
export function linkOf(caller: Caller): UploadLink {
  if (caller.kind !== 'link') throw new Error(`expected a link caller, got ${caller.kind}`);
  return caller.link;
}

/** The actor as the audit trail names it: `user:<sub>` or `link:<linkId>`, never a token. */
export function actorOf(caller: Caller): string {
  return caller.kind === 'owner'
    ? `user:${caller.ownerId}`
    : caller.kind === 'link'
      ? `link:${caller.linkId}`
      : 'public';
}

/**
 * Where the request came from. Behind CloudFront the API's peer is an edge server, so the
 * viewer's address comes from the header CloudFront sets (overwriting any the viewer sent); a
 * caller that skips CloudFront and calls the API's own URL could claim any address there, so it
 * is taken only when it is a well-formed IP address, and docs/deploy.md says what it is worth.
 */
export function sourceAddressOf(event: APIGatewayProxyEventV2): string {
  const viewer = event.headers?.[VIEWER_ADDRESS_HEADER]?.trim();
  return viewer && isIP(viewer) !== 0 ? viewer : event.requestContext.http.sourceIp;
}
