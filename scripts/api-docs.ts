import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ApiDocument, buildApiDocument, type JsonSchema, type OperationObject } from '#contracts/api/openapi';

/**
 * Writes docs/api.md from the OpenAPI description (`npm run docs:api`). A unit test compares
 * the file with what this would write now, so the page cannot drift from the contracts.
 */
export const API_DOCS_PATH = fileURLToPath(new URL('../docs/api.md', import.meta.url));

const CALLERS: Record<string, string> = {
  owner: 'a signed-in owner (`Authorization: Bearer <Cognito token>`)',
  link: 'a client holding an upload link (`X-Upload-Token: <token>`)',
  public: 'anyone',
};

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A schema's type in a TypeScript-like notation, one line. */
function typeOf(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union) return union.map(typeOf).join(' | ');
  switch (schema.type) {
    case 'string':
      return schema.format === 'date-time'
        ? 'string (date-time)'
        : schema.format
          ? `string (${schema.format})`
          : 'string';
    case 'array':
      return `${wrap(typeOf(schema.items as JsonSchema))}[]`;
    case 'object':
      return 'object';
    default:
      return String(schema.type ?? 'any');
  }
}

const wrap = (type: string): string => (type.includes(' | ') ? `(${type})` : type);

/** What a request field must be, beyond its type. */
function rulesOf(schema: JsonSchema): string {
  const rules: string[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min !== undefined && max !== undefined) rules.push(`${min} to ${max}${unit}`);
    else if (min !== undefined) rules.push(`at least ${min}${unit}`);
    else if (max !== undefined) rules.push(`at most ${max}${unit}`);
  };
  range(schema.minLength, schema.maxLength, ' characters');
  range(schema.minimum, schema.maximum, '');
  range(schema.minItems, schema.maxItems, ' items');
  if (typeof schema.pattern === 'string' && schema.format === undefined) rules.push(`matches \`${schema.pattern}\``);
  const items = schema.items as JsonSchema | undefined;
  if (items && schema.type === 'array') {
    const itemRules = rulesOf(items);
    if (itemRules) rules.push(`each: ${itemRules}`);
  }
  for (const part of ((schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined) ?? []) {
    if (typeof part.pattern === 'string') rules.push(`an id matches \`${part.pattern}\``);
  }
  if (schema.default !== undefined) rules.push(`default ${JSON.stringify(schema.default)}`);
  // A field's own note from the contract (zod's `.describe()`).
  if (typeof schema.description === 'string') rules.push(schema.description);
  return rules.join('; ');
}

function fieldTable(fields: { name: string; schema: JsonSchema; required: boolean }[]): string[] {
  return [
    '| field | type | required | rules |',
    '| --- | --- | --- | --- |',
    ...fields.map(
      ({ name, schema, required }) =>
        `| \`${name}\` | ${cell(typeOf(schema))} | ${required ? 'yes' : 'no'} | ${cell(rulesOf(schema))} |`,
    ),
  ];
}

/** A response body's shape, TypeScript-like, over several lines. */
function shapeOf(schema: JsonSchema, indent = ''): string {
  const union = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (union?.every((part) => part.type === 'object')) {
    return union.map((part) => shapeOf(part, indent)).join(` |\n${indent}`);
  }
  if (schema.type === 'array') {
    const items = schema.items as JsonSchema;
    const inner = shapeOf(items, indent);
    return items.type === 'object' || items.anyOf || items.oneOf ? `Array<${inner}>` : `${wrap(inner)}[]`;
  }
  if (schema.type !== 'object') return typeOf(schema);
  const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
  if (properties.length === 0) return schema.additionalProperties === false ? '{}' : 'object';
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const deeper = `${indent}  `;
  const lines = properties.map(([name, property]) => {
    // Formats and integers as comments, so the shape stays TypeScript.
    const plain = !property.enum && !('const' in property);
    const integer = plain && property.type === 'integer';
    const type = plain && property.type === 'string' ? 'string' : integer ? 'number' : shapeOf(property, deeper);
    const note = typeof property.format === 'string' ? property.format : integer ? 'integer' : '';
    const format = note ? ` // ${note}` : '';
    const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    return `${deeper}${key}${required.has(name) ? '' : '?'}: ${type};${format}`;
  });
  if (schema.additionalProperties !== false) lines.push(`${deeper}// and more`);
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function renderOperation(method: string, path: string, operation: OperationObject): string[] {
  const lines = [`### \`${method.toUpperCase()} ${path}\``, '', operation.summary, ''];
  lines.push(
    `- **Who may call:** ${CALLERS[operation['x-caller']]}`,
    `- **operationId:** \`${operation.operationId}\``,
  );
  lines.push('');
  const parameters = operation.parameters ?? [];
  for (const where of ['path', 'query'] as const) {
    const these = parameters.filter((parameter) => parameter.in === where);
    if (these.length === 0) continue;
    lines.push(`**${where === 'path' ? 'Path parameters' : 'Query parameters'}**`, '');
    lines.push(...fieldTable(these.map(({ name, schema, required }) => ({ name, schema, required }))), '');
  }
  const body = operation.requestBody?.content['application/json'].schema;
  if (body) {
    const required = new Set((body.required as string[] | undefined) ?? []);
    const fields = Object.entries((body.properties ?? {}) as Record<string, JsonSchema>).map(([name, schema]) => ({
      name,
      schema,
      required: required.has(name),
    }));
    lines.push('**Request body** (JSON; unknown fields are refused)', '', ...fieldTable(fields), '');
  }
  lines.push('**Responses**', '');
  const refusals: string[] = [];
  for (const [status, response] of Object.entries(operation.responses)) {
    const schema = response.content?.['application/json'].schema;
    if (schema && '$ref' in schema) {
      refusals.push(`- \`${status}\`: ${response.description}`);
    } else if (schema) {
      lines.push(`\`${status}\` ${response.description}`, '', '```ts', shapeOf(schema), '```', '');
    } else {
      lines.push(`\`${status}\` ${response.description}`, '');
    }
  }
  lines.push('Refusals (`{ error: { code, message } }`):', '', ...refusals, '');
  return lines;
}

/** docs/api.md as the current contracts describe the API. */
export function renderApiDocs(document: ApiDocument = buildApiDocument()): string {
  const lines = [
    `# ${document.info.title} (v${document.info.version})`,
    '',
    '<!-- Generated by `npm run docs:api` (scripts/api-docs.ts) from contracts/: do not edit by hand. -->',
    '',
    document.info.description,
    '',
    'The same description is served as OpenAPI 3.1 at `GET /api/openapi.json`. Every body is JSON.',
    'A refusal or failure always answers `{ "error": { "code": "<stable code>", "message": "<for people>" } }`;',
    'a 500 says only that, with the request id (the log has the details).',
    'Every text field (names, labels, folder names, e-mails) must be well-formed Unicode: a lone',
    'surrogate such as `"\\ud83d"`, valid JSON but no text, is refused with 400.',
    '',
  ];
  for (const tag of document.tags) {
    lines.push(`## ${tag.name}`, '', tag.description, '');
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.tags.includes(tag.name)) lines.push(...renderOperation(method, path, operation));
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(API_DOCS_PATH, renderApiDocs());
  console.log(`wrote ${API_DOCS_PATH}`);
}
