import { createAuthenticator } from '#commons/authenticate';
import { httpHandler } from '#commons/http';
import { describeApi as operation } from '#contracts/api/account';
import { buildApiDocument } from '#contracts/api/openapi';

// Built once per cold start: the document depends only on the contracts bundled with this function.
const document = buildApiDocument();

/** GET /api/openapi.json: the API's OpenAPI 3.1 description, generated from contracts/. */
export const handler = httpHandler({ ...operation, authenticate: createAuthenticator({}) }, async () => ({
  status: 200,
  body: document,
}));
