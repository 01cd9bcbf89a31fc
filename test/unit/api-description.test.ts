import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { JsonSchema } from '#contracts/api/openapi';
import { routeKey, routes } from '#contracts/routes';
import { apiDocument, DOCUMENT_ID, newDocumentAjv, pointerTo } from '../support/api-description';

const SECURITY = { owner: [{ ownerJwt: [] }], link: [{ uploadToken: [] }], public: [] };

/** Every schema in the document with its JSON pointer: the Error component, parameters, bodies, responses. */
function schemasOf(): { pointer: string; schema: JsonSchema }[] {
  const found = Object.keys(apiDocument.components.schemas).map((name) => ({
    pointer: pointerTo('components', 'schemas', name),
    schema: apiDocument.components.schemas[name] as JsonSchema,
  }));
  for (const [path, methods] of Object.entries(apiDocument.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      (operation.parameters ?? []).forEach((parameter, i) => {
        found.push({
          pointer: pointerTo('paths', path, method, 'parameters', String(i), 'schema'),
          schema: parameter.schema,
        });
      });
      if (operation.requestBody) {
        found.push({
          pointer: pointerTo('paths', path, method, 'requestBody', 'content', 'application/json', 'schema'),
          schema: operation.requestBody.content['application/json'].schema,
        });
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response.content) continue;
        found.push({
          pointer: pointerTo('paths', path, method, 'responses', status, 'content', 'application/json', 'schema'),
          schema: response.content['application/json'].schema,
        });
      }
    }
  }
  return found;
}

/** Every `$ref` anywhere under a value. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' ? [inner as string] : refsIn(inner)));
}

function resolve(pointer: string): unknown {
  return pointer
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], apiDocument);
}

describe('the API description', () => {
  it('describes every route of the table with its method, path parameters and security', () => {
    // prepare
    const described = Object.entries(apiDocument.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );

    // act / assess
    expect(described.sort()).toEqual(routes.map(routeKey).sort());
    for (const route of routes) {
      const operation = apiDocument.paths[route.path]?.[route.method.toLowerCase()];
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const pathParameters = (operation?.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect(
        pathParameters.map((parameter) => parameter.name),
        routeKey(route),
      ).toEqual(inPath);
      expect(pathParameters.every((parameter) => parameter.required)).toBe(true);
      expect(operation?.security, routeKey(route)).toEqual(SECURITY[route.caller]);
      expect(operation?.responses['500'], routeKey(route)).toBeDefined();
      if (route.caller !== 'public') expect(operation?.responses['401'], routeKey(route)).toBeDefined();
    }
  });

  it('is an OpenAPI 3.1 document whose references all resolve and whose operationIds are unique', () => {
    // prepare
    const operations = Object.values(apiDocument.paths).flatMap((methods) => Object.values(methods));
    const schemes = Object.keys(apiDocument.components.securitySchemes);

    // act
    const unresolved = refsIn(apiDocument).filter((ref) => !ref.startsWith('#/') || resolve(ref) === undefined);
    const ids = operations.map((operation) => operation.operationId);
    const usedSchemes = operations.flatMap((operation) => operation.security.flatMap((entry) => Object.keys(entry)));

    // assess
    expect(apiDocument.openapi).toBe('3.1.0');
    expect(apiDocument.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(refsIn(apiDocument).length).toBeGreaterThan(0);
    expect(unresolved).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(usedSchemes.every((scheme) => schemes.includes(scheme))).toBe(true);
    const tags = apiDocument.tags.map((tag) => tag.name);
    expect(operations.every((operation) => operation.tags.every((tag) => tags.includes(tag)))).toBe(true);
    for (const operation of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status, operation.operationId).toMatch(/^[1-5]\d\d$/);
        expect(response.description, operation.operationId).not.toBe('');
      }
    }
  });

  it('compiles every schema in it with ajv (JSON Schema 2020-12, strict mode)', () => {
    // prepare
    const ajv = newDocumentAjv();
    const schemas = schemasOf();

    // act
    const failures = schemas.flatMap(({ pointer }) => {
      try {
        ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
        return [];
      } catch (error) {
        return [`${pointer}: ${(error as Error).message}`];
      }
    });

    // assess
    expect(schemas.length).toBeGreaterThan(60);
    expect(failures).toEqual([]);
  });

  it('holds schemas that are valid 2020-12 schemas on their own', () => {
    // prepare
    const ajv = new Ajv2020({ strict: false });

    // act
    const invalid = schemasOf().filter(({ schema }) => !('$ref' in schema) && !ajv.validateSchema(schema));

    // assess
    expect(invalid.map(({ pointer }) => pointer)).toEqual([]);
  });

  it('refuses, against its own schemas, a response that leaves out a field or adds one', () => {
    // prepare
    const ajv = newDocumentAjv();
    const usage = ajv.compile({
      $ref: `${DOCUMENT_ID}${pointerTo('paths', '/api/usage', 'get', 'responses', '200', 'content', 'application/json', 'schema')}`,
    });
    const error = ajv.compile({ $ref: `${DOCUMENT_ID}${pointerTo('components', 'schemas', 'Error')}` });
    const complete = { usedBytes: 1, reservedBytes: 0, limitBytes: 10, availableBytes: 9 };

    // act / assess
    expect(usage(complete)).toBe(true);
    expect(usage({ ...complete, availableBytes: undefined })).toBe(false);
    expect(usage({ ...complete, secret: 'x' })).toBe(false);
    expect(error({ error: { code: 'not_found', message: 'No such file.' } })).toBe(true);
    expect(error({ message: 'No such file.' })).toBe(false);
  });
});
