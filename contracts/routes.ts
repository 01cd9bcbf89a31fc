import type { ApiFunctionName } from './functions';

/**
 * The route table: read by the CDK API construct and served as-is by the local gateway,
 * so a route exists in both or in neither.
 *
 * `caller` says who may call it: `owner` (Cognito JWT in `Authorization`), `link` (an
 * upload-link token in `X-Upload-Token`) or `public`. `handler` is the function (contracts/functions.ts) that serves it.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Caller = 'owner' | 'link' | 'public';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: ApiFunctionName;
  readonly caller: Caller;
}

export const routes = [
  { method: 'GET', path: '/api/health', handler: 'health', caller: 'public' },
  { method: 'GET', path: '/api/openapi.json', handler: 'describe-api', caller: 'public' },
  { method: 'POST', path: '/api/links', handler: 'create-link', caller: 'owner' },
  { method: 'GET', path: '/api/links', handler: 'list-links', caller: 'owner' },
  { method: 'DELETE', path: '/api/links/{linkId}', handler: 'revoke-link', caller: 'owner' },
  { method: 'GET', path: '/api/drop', handler: 'describe-link', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads', handler: 'presign-upload', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads/{uploadId}/confirm', handler: 'confirm-upload', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads/{uploadId}/parts', handler: 'sign-upload-parts', caller: 'link' },
  { method: 'GET', path: '/api/drop/uploads/{uploadId}/parts', handler: 'list-upload-parts', caller: 'link' },
  { method: 'POST', path: '/api/drop/uploads/{uploadId}/complete', handler: 'complete-upload', caller: 'link' },
  { method: 'DELETE', path: '/api/drop/uploads/{uploadId}', handler: 'abandon-upload', caller: 'link' },
  { method: 'POST', path: '/api/uploads', handler: 'presign-upload', caller: 'owner' },
  { method: 'POST', path: '/api/uploads/{uploadId}/confirm', handler: 'confirm-upload', caller: 'owner' },
  { method: 'POST', path: '/api/uploads/{uploadId}/parts', handler: 'sign-upload-parts', caller: 'owner' },
  { method: 'GET', path: '/api/uploads/{uploadId}/parts', handler: 'list-upload-parts', caller: 'owner' },
  { method: 'POST', path: '/api/uploads/{uploadId}/complete', handler: 'complete-upload', caller: 'owner' },
  { method: 'DELETE', path: '/api/uploads/{uploadId}', handler: 'abandon-upload', caller: 'owner' },
  { method: 'GET', path: '/api/files', handler: 'list-files', caller: 'owner' },
  { method: 'GET', path: '/api/files/{fileId}/download', handler: 'download-file', caller: 'owner' },
  { method: 'GET', path: '/api/files/{fileId}/thumbnail', handler: 'download-thumbnail', caller: 'owner' },
  { method: 'DELETE', path: '/api/files/{fileId}', handler: 'delete-file', caller: 'owner' },
  { method: 'PATCH', path: '/api/files/{fileId}', handler: 'update-file', caller: 'owner' },
  { method: 'POST', path: '/api/files/{fileId}/release', handler: 'release-held-file', caller: 'owner' },
  { method: 'GET', path: '/api/folders', handler: 'list-folders', caller: 'owner' },
  { method: 'POST', path: '/api/folders', handler: 'create-folder', caller: 'owner' },
  { method: 'PATCH', path: '/api/folders/{folderId}', handler: 'update-folder', caller: 'owner' },
  { method: 'DELETE', path: '/api/folders/{folderId}', handler: 'delete-folder', caller: 'owner' },
  { method: 'POST', path: '/api/shares', handler: 'create-share', caller: 'owner' },
  { method: 'GET', path: '/api/shares', handler: 'list-shares', caller: 'owner' },
  { method: 'DELETE', path: '/api/shares/{shareId}', handler: 'revoke-share', caller: 'owner' },
  { method: 'GET', path: '/api/shared-with-me', handler: 'list-shared-with-me', caller: 'owner' },
  { method: 'PUT', path: '/api/profile/photo', handler: 'upload-profile-photo', caller: 'owner' },
  { method: 'GET', path: '/api/profile/photo', handler: 'download-profile-photo', caller: 'owner' },
  { method: 'GET', path: '/api/usage', handler: 'get-usage', caller: 'owner' },
  { method: 'GET', path: '/api/me', handler: 'describe-me', caller: 'owner' },
  { method: 'GET', path: '/api/audit', handler: 'list-audit-trail', caller: 'owner' },
  { method: 'GET', path: '/api/settings', handler: 'get-settings', caller: 'owner' },
  { method: 'PATCH', path: '/api/settings', handler: 'update-settings', caller: 'owner' },
] as const satisfies readonly RouteDefinition[];

/** API Gateway's route key, e.g. `DELETE /api/links/{linkId}`. */
export const routeKey = (route: RouteDefinition): string => `${route.method} ${route.path}`;
