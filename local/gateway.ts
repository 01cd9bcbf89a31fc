import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type FunctionName, functionTimeoutSeconds } from '#contracts/functions';
import { type RouteDefinition, routeKey, routes } from '#contracts/routes';
import { apiCors, VIEWER_ADDRESS_HEADER } from '#contracts/web-security';
import { closeGracefully } from './graceful-close';
import { FunctionTimedOut, invokeWithTimeout, lambdaContext } from './invocations';
import { serveWebApp, type WebApp } from './web-files';

/** API Gateway refuses payloads over 10 MB before any function runs; so does this gateway. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export type HttpFunction = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayOptions {
  readonly port: number;
  readonly host: string;
  /** Handler modules by folder name, loaded by the caller (after the environment is set). */
  readonly handlers: ReadonlyMap<string, HttpFunction>;
  /** What `GET /config.json` answers, for browsers and scripts. */
  readonly publicConfig: Record<string, string | number | boolean>;
  /** The built web app served at `/`, `/u/` and `/assets/*`; without it those paths answer 404. */
  readonly web?: WebApp;
  /** Pages on other origins that may call the API (`--web-origin`), as the stack's `docdrop:webOrigins`. */
  readonly corsOrigins?: readonly string[];
  /** Shorter timeouts than contracts/functions.ts gives, for a test of what a timeout answers. */
  readonly timeoutSecondsOverride?: Readonly<Record<string, number>>;
}

/**
 * What API Gateway HTTP API answers when the Lambda function fails, a timeout included: a 500
 * with its own body, not ours ("Troubleshooting issues with HTTP API Lambda integrations",
 * API Gateway developer guide). Our handlers answer 503 long before their timeout.
 */
const FUNCTION_FAILED_BODY = JSON.stringify({ message: 'Internal Server Error' });

export interface LocalGateway {
  readonly url: string;
  stop(): Promise<void>;
}

const logger = new Logger({ serviceName: 'local-gateway' });

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly names: string[];
}

/** `/api/files/{fileId}/download` -> a pattern with one capture per `{name}`. */
function compile(route: RouteDefinition): CompiledRoute {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] as string);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

const COMPILED = routes.map(compile);

export function matchRoute(
  method: string,
  path: string,
): { route: RouteDefinition; params: Record<string, string> } | 'method' | undefined {
  let pathMatched = false;
  for (const { route, pattern, names } of COMPILED) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] as string)]));
    } catch {
      params = Object.fromEntries(names.map((name, i) => [name, match[i + 1] as string]));
    }
    return { route, params };
  }
  return pathMatched ? 'method' : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number | boolean>,
  body?: string,
): void {
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

const sendError = (res: ServerResponse, status: number, code: string, message: string) =>
  send(
    res,
    status,
    { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    JSON.stringify({ error: { code, message } }),
  );

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** An API Gateway HTTP API (payload format 2.0) event, as Lambda would receive it. */
function toEvent(
  req: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  params: Record<string, string>,
  body: Buffer,
  requestId: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // This gateway also stands in for CloudFront, which sets the viewer's address over any sent.
  headers[VIEWER_ADDRESS_HEADER] = req.socket.remoteAddress ?? '127.0.0.1';
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const contentType = headers['content-type'] ?? '';
  const textual = body.length === 0 || /json|text|x-www-form-urlencoded/.test(contentType) || contentType === '';
  return {
    version: '2.0',
    routeKey: routeKey(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: routeKey(route),
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': apiCors.allowMethods.join(','),
  'access-control-allow-headers': apiCors.allowHeaders.join(','),
  'access-control-max-age': apiCors.maxAgeSeconds,
};

/**
 * API Gateway's CORS for an HTTP API with `corsPreflight`: once origins are configured it answers
 * every preflight itself (any path, no OPTIONS route needed), and names an allowed origin on
 * every response; an origin not on the list gets no CORS headers, so the browser refuses.
 */
function corsHeaders(req: IncomingMessage, origins: readonly string[]): Record<string, string> {
  const origin = req.headers.origin;
  return origin !== undefined && origins.includes(origin)
    ? { 'access-control-allow-origin': origin, vary: 'origin' }
    : {};
}

/**
 * Serves the shared route table by calling the handler modules with API Gateway events,
 * plus `/config.json` and the built web app. Listens on loopback only.
 */
export async function startGateway(options: GatewayOptions): Promise<LocalGateway> {
  const server: Server = createServer(async (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    try {
      if (url.pathname === '/config.json' && method === 'GET') {
        return send(
          res,
          200,
          { 'content-type': 'application/json', 'cache-control': 'no-store' },
          JSON.stringify(options.publicConfig),
        );
      }
      const corsOrigins = options.corsOrigins ?? [];
      const cors = url.pathname.startsWith('/api/') ? corsHeaders(req, corsOrigins) : {};
      // Set here so that every answer below carries them, errors included.
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (method === 'OPTIONS' && url.pathname.startsWith('/api/') && corsOrigins.length > 0) {
        const preflight = cors['access-control-allow-origin'] && req.headers['access-control-request-method'];
        return send(res, 204, preflight ? PREFLIGHT_HEADERS : {});
      }
      if (!url.pathname.startsWith('/api/')) {
        if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, 'method_not_allowed', 'Only GET here.');
        if (options.web && (await serveWebApp(options.web, url.pathname, res, method === 'HEAD'))) return;
        return sendError(res, 404, 'not_found', 'No such page.');
      }
      const matched = matchRoute(method, url.pathname);
      if (matched === undefined) return sendError(res, 404, 'route_not_found', 'No API route has this path.');
      if (matched === 'method')
        return sendError(res, 405, 'method_not_allowed', 'This method is not allowed on this path.');
      const body = await readBody(req);
      if (body === 'too-large') {
        res.setHeader('connection', 'close');
        return sendError(res, 413, 'payload_too_large', 'The request is larger than 10 MB.');
      }
      const handler = options.handlers.get(matched.route.handler);
      if (!handler) throw new Error(`handler ${matched.route.handler} is not loaded`);
      const timeoutMs =
        1000 *
        (options.timeoutSecondsOverride?.[matched.route.handler] ??
          functionTimeoutSeconds[matched.route.handler as FunctionName]);
      const context = lambdaContext(matched.route.handler, timeoutMs);
      const event = toEvent(req, url, matched.route, matched.params, body, requestId);
      const result = await invokeWithTimeout(context, timeoutMs, () => handler(event, context));
      const status = result.statusCode ?? 200;
      const headers = Object.fromEntries(Object.entries(result.headers ?? {}));
      return send(
        res,
        status,
        headers,
        result.isBase64Encoded && result.body ? Buffer.from(result.body, 'base64').toString() : result.body,
      );
    } catch (error) {
      if (error instanceof FunctionTimedOut) {
        logger.error('function timed out', {
          requestId,
          functionName: error.functionName,
          timeoutMs: error.timeoutMs,
          reason: error.message,
        });
        if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, FUNCTION_FAILED_BODY);
        return;
      }
      // What API Gateway answers when the integration fails: nothing about why.
      logger.error('integration failed', { requestId, error: error as Error });
      if (!res.headersSent) sendError(res, 500, 'internal_error', 'Internal server error.');
    } finally {
      // Path only: query strings may carry cursors, and nothing sensitive belongs in a log.
      logger.info('request', {
        requestId,
        method,
        path: url.pathname,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    stop: () => closeGracefully(server),
  };
}
