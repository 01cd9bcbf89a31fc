/**
 * The route table: read by the CDK API construct and served as-is by the local gateway,
 * so a route exists in both or in neither.
 *
 * `caller` says who may call it: `owner` (Cognito JWT in `Authorization`), `link` (an
 * upload-link token in `X-Upload-Token`) or `public`. `handler` is a folder of `functions/`.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Caller = 'owner' | 'link' | 'public';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: string;
  readonly caller: Caller;
}

export const routes = [
  { method: 'GET', path: '/api/health', handler: 'health', caller: 'public' },
  { method: 'POST', path: '/api/links', handler: 'generate-token', caller: 'owner' },
  { method: 'GET', path: '/api/links', handler: 'list-links', caller: 'owner' },
  { method: 'DELETE', path: '/api/links/{linkId}', handler: 'revoke-link', caller: 'owner' },
  { method: 'GET', path: '/api/drop', handler: 'describe-link', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads', handler: 'presign', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads/{uploadId}/confirm', handler: 'confirm', caller: 'link' },
  { method: 'POST', path: '/api/uploads', handler: 'presign', caller: 'owner' },
  { method: 'POST', path: '/api/uploads/{uploadId}/confirm', handler: 'confirm', caller: 'owner' },
  { method: 'GET', path: '/api/files', handler: 'list', caller: 'owner' },
  { method: 'GET', path: '/api/files/{fileId}/download', handler: 'download', caller: 'owner' },
  { method: 'GET', path: '/api/files/{fileId}/thumbnail', handler: 'thumbnail', caller: 'owner' },
  { method: 'DELETE', path: '/api/files/{fileId}', handler: 'delete', caller: 'owner' },
  { method: 'PUT', path: '/api/profile/photo', handler: 'profile-photo', caller: 'owner' },
  { method: 'GET', path: '/api/profile/photo', handler: 'profile-photo', caller: 'owner' },
  { method: 'GET', path: '/api/usage', handler: 'usage', caller: 'owner' },
  { method: 'GET', path: '/api/audit', handler: 'audit-trail', caller: 'owner' },
] as const satisfies readonly RouteDefinition[];

/** API Gateway's route key, e.g. `DELETE /api/links/{linkId}`. */
export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;

/** Handler folders behind the API, each deployed once however many routes it serves. */
export const apiHandlers = [...new Set(routes.map((route) => route.handler))];

/** The S3-triggered function, outside the route table. */
export const validatorHandler = 'image-validator';
