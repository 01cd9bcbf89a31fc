import { type Caller, type RouteDefinition, routeKey, routes } from '../routes';
import * as z from '../zod';
import { errorResponse } from './common';
import type { Operation, RefusalStatus } from './operation';
import { type Aggregate, operationModules, operations, type RouteKey } from './operations';

/** A JSON Schema (2020-12) as zod writes it; OpenAPI 3.1 takes it as is. */
export type JsonSchema = { [keyword: string]: unknown };

/** The parts of an OpenAPI 3.1 document this API uses; it is plain JSON. */
export interface ApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly jsonSchemaDialect: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Record<string, Record<string, OperationObject>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly securitySchemes: Record<string, JsonSchema>;
  };
}

export interface ParameterObject {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly schema: JsonSchema;
}

export interface ResponseObject {
  readonly description: string;
  readonly headers?: Record<string, { readonly description: string; readonly schema: JsonSchema }>;
  readonly content?: { readonly 'application/json': { readonly schema: JsonSchema } };
}

export interface OperationObject {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security: readonly Record<string, readonly string[]>[];
  readonly 'x-caller': Caller;
  readonly parameters?: readonly ParameterObject[];
  readonly requestBody?: {
    readonly required: true;
    readonly content: { readonly 'application/json': { readonly schema: JsonSchema } };
  };
  readonly responses: Record<string, ResponseObject>;
}

const DIALECT = 'https://json-schema.org/draft/2020-12/schema';
const ERROR_REF = { $ref: '#/components/schemas/Error' };

const TAGS: Record<Aggregate, string> = {
  account: 'The API itself, and the caller’s usage and audit trail.',
  links: 'Upload links an owner hands to clients.',
  uploads: 'Signing uploads straight to storage and confirming them (owners and link holders).',
  drive: 'An owner’s files and folders.',
  sharing: 'Files and folders shared between users.',
};

const SECURITY: Record<Caller, readonly Record<string, readonly string[]>[]> = {
  owner: [{ ownerJwt: [] }],
  link: [{ uploadToken: [] }],
  public: [],
};

const SUCCESS_DESCRIPTIONS: Record<number, string> = { 200: 'Done.', 201: 'Created.', 204: 'Done; no body.' };

type ErrorStatus = 400 | 401 | RefusalStatus | 500 | 503;
const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The body, path or query is not valid (the message names the field), or a cursor is not from this list.',
  401: 'The caller is not authenticated: the token is missing, invalid or expired.',
  403: 'Shared with the caller, but not for this (shared to view only, or only the owner may).',
  404: 'No such thing, or not the caller’s: what another owner holds is never disclosed.',
  409: 'The current state does not allow it (the code says which: not ready, name taken, not empty...).',
  410: 'The upload link expired, was revoked or has no uploads left.',
  413: 'Too large: the request body, the file for its limit, or the upload for what is left of the quota.',
  415: 'The file’s type is not accepted here.',
  500: 'Something failed on our side; the message carries the request id, the log the details.',
  503: 'A service docdrop depends on did not answer in time or is overloaded (code `service_unavailable`). Send the request again after the seconds the `Retry-After` header gives.',
};

const RETRY_AFTER = {
  'Retry-After': {
    description: 'Seconds to wait before sending the request again.',
    schema: { type: 'integer', minimum: 1 },
  },
};

/** zod's JSON Schema without the `$schema` keyword (the document declares the dialect once). */
function jsonSchemaOf(schema: z.ZodMiniType, io: 'input' | 'output', where: string): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io }) as JsonSchema;
  // A `$defs` reference would resolve against the document's root, not this schema: keep contracts inline.
  if ('$defs' in rest) throw new Error(`${where}: the schema needs $defs, which this generator does not place`);
  return rest;
}

function objectProperties(
  schema: JsonSchema,
  where: string,
): { properties: Record<string, JsonSchema>; required: Set<string> } {
  if (schema.type !== 'object' || typeof schema.properties !== 'object') {
    throw new Error(`${where}: parameters must be described by an object schema`);
  }
  return {
    properties: schema.properties as Record<string, JsonSchema>,
    required: new Set((schema.required as string[] | undefined) ?? []),
  };
}

function parametersOf(route: RouteDefinition, operation: Operation): ParameterObject[] {
  const key = routeKey(route);
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const path = operation.params
    ? objectProperties(jsonSchemaOf(operation.params, 'input', key), `${key} path`).properties
    : {};
  const declared = Object.keys(path).sort();
  if (declared.join() !== [...inPath].sort().join()) {
    throw new Error(
      `${key}: path parameters ${inPath.join(', ') || 'none'} but schema declares ${declared.join(', ') || 'none'}`,
    );
  }
  const parameters: ParameterObject[] = inPath.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: path[name] as JsonSchema,
  }));
  if (operation.query) {
    const query = objectProperties(jsonSchemaOf(operation.query, 'input', key), `${key} query`);
    for (const [name, schema] of Object.entries(query.properties)) {
      parameters.push({ name, in: 'query', required: query.required.has(name), schema });
    }
  }
  return parameters;
}

/** What a route answers when refused: its own refusals plus what every route of its kind answers. */
function errorStatusesOf(route: RouteDefinition, operation: Operation): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>(operation.refusals ?? []);
  if (operation.body || operation.params || operation.query) statuses.add(400);
  if (operation.body) statuses.add(413);
  if (route.caller !== 'public') statuses.add(401);
  // A revoked link is refused as soon as its token is read; an expired or used-up one by the route.
  if (route.caller === 'link') statuses.add(410);
  statuses.add(500);
  // Every route waits on a dependency (health reports them), and answers 503 when one does not answer.
  statuses.add(503);
  return [...statuses].sort((a, b) => a - b);
}

function responsesOf(route: RouteDefinition, operation: Operation): Record<string, ResponseObject> {
  const key = routeKey(route);
  const responses: Record<string, ResponseObject> = {};
  for (const [status, schema] of Object.entries(operation.responses)) {
    const description = SUCCESS_DESCRIPTIONS[Number(status)] ?? 'Done.';
    responses[status] = schema
      ? { description, content: { 'application/json': { schema: jsonSchemaOf(schema, 'output', `${key} ${status}`) } } }
      : { description };
  }
  for (const status of errorStatusesOf(route, operation)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status],
      ...(status === 503 ? { headers: RETRY_AFTER } : {}),
      content: { 'application/json': { schema: ERROR_REF } },
    };
  }
  return responses;
}

/** Where each operation is declared: its module is its tag, its export name its operationId. */
function declarationsOf(): Map<Operation, { tag: Aggregate; name: string }> {
  const declared = new Map<Operation, { tag: Aggregate; name: string }>();
  const described = new Set<unknown>(Object.values(operations));
  for (const [tag, module] of Object.entries(operationModules) as [Aggregate, Record<string, unknown>][]) {
    for (const [name, value] of Object.entries(module)) {
      if (described.has(value)) declared.set(value as Operation, { tag, name });
    }
  }
  return declared;
}

/** The OpenAPI 3.1 description of the whole API, built from the route table and each route's operation. */
export function buildApiDocument(): ApiDocument {
  const declared = declarationsOf();
  const paths: Record<string, Record<string, OperationObject>> = {};
  for (const route of routes) {
    const key = routeKey(route) as RouteKey;
    const operation: Operation = operations[key];
    const declaration = declared.get(operation);
    if (!declaration) throw new Error(`${key}: its operation is not exported by a module of contracts/api`);
    const parameters = parametersOf(route, operation);
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, OperationObject>)[route.method.toLowerCase()] = {
      operationId: declaration.name,
      summary: operation.summary,
      tags: [declaration.tag],
      security: SECURITY[route.caller],
      'x-caller': route.caller,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(operation.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchemaOf(operation.body, 'input', `${key} body`) } },
            },
          }
        : {}),
      responses: responsesOf(route, operation),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'docdrop API',
      version: '1',
      description:
        'Secure document intake: owners sign in with Cognito, clients upload through upload links, bytes go straight to storage by presigned URLs. Generated from contracts/ (routes and operations).',
    },
    jsonSchemaDialect: DIALECT,
    tags: (Object.keys(TAGS) as Aggregate[]).map((name) => ({ name, description: TAGS[name] })),
    paths,
    components: {
      schemas: { Error: jsonSchemaOf(errorResponse, 'output', 'Error') },
      securitySchemes: {
        ownerJwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A token Cognito issued to the owner (ID or access token), as `Authorization: Bearer <token>`.',
        },
        uploadToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Upload-Token',
          description: 'The token of an upload link (the part after `#` in its URL).',
        },
      },
    },
  };
}
