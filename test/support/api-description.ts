import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildApiDocument } from '#contracts/api/openapi';
import { routeKey } from '#contracts/routes';
import { matchRoute } from '../../local/gateway';

/**
 * The API description as tests read it, and an ajv that validates against it: the document is
 * registered whole, so every `$ref` in it resolves as a reader of the served document would.
 */
export const apiDocument = buildApiDocument();

/** Where the document is registered in ajv; refs inside it (`#/components/...`) resolve against it. */
export const DOCUMENT_ID = 'https://docdrop.invalid/api/openapi.json';

// ajv-formats is CommonJS; under ESM its default export arrives one level down.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export function newDocumentAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  // The document's own fields are not schema keywords: declared so strict mode accepts the registration.
  ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'tags', 'paths', 'components']);
  ajv.addSchema({ ...apiDocument, $id: DOCUMENT_ID });
  return ajv;
}

/** A JSON pointer (RFC 6901) to a place in the document. */
export const pointerTo = (...parts: string[]): string =>
  `#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

const ajv = newDocumentAjv();
const validators = new Map<string, ValidateFunction>();

function validatorAt(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/**
 * Throws unless this response of the API is one its description promises: a documented status
 * for the route, and a body valid against that status's schema (none for a 204). Paths the
 * route table does not serve (the gateway's own 404 and 405) are not the description's.
 */
export function assertDocumentedResponse(method: string, url: URL, status: number, body: unknown): void {
  const matched = matchRoute(method, url.pathname);
  if (matched === undefined || matched === 'method') return;
  const key = routeKey(matched.route);
  const operation = apiDocument.paths[matched.route.path]?.[matched.route.method.toLowerCase()];
  if (!operation) throw new Error(`${key} is served but not described in the API description`);
  const response = operation.responses[String(status)];
  if (!response) {
    throw new Error(
      `${key} answered ${status}, which its description does not list (${Object.keys(operation.responses).join(', ')}): ${JSON.stringify(body)?.slice(0, 300)}`,
    );
  }
  if (!response.content) {
    if (body !== undefined) throw new Error(`${key} answered ${status} with a body, but its description has none`);
    return;
  }
  const validate = validatorAt(
    pointerTo(
      'paths',
      matched.route.path,
      matched.route.method.toLowerCase(),
      'responses',
      String(status),
      'content',
      'application/json',
      'schema',
    ),
  );
  if (!validate(body)) {
    throw new Error(
      `${key} answered ${status} with a body its description refuses: ${ajv.errorsText(validate.errors, { separator: '; ' })}\nbody: ${JSON.stringify(body)?.slice(0, 500)}`,
    );
  }
}
