import type { routes } from '../routes';
import * as account from './account';
import * as drive from './drive';
import * as links from './links';
import type { Operation } from './operation';
import * as sharing from './sharing';
import * as uploads from './uploads';

type RouteKeyOf<Route> = Route extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;
/** Every route key of the table, e.g. `DELETE /api/links/{linkId}`. */
export type RouteKey = RouteKeyOf<(typeof routes)[number]>;

/** The modules that declare operations: each is one aggregate of the API (a tag in its description). */
export const operationModules = { account, links, uploads, drive, sharing } as const;
export type Aggregate = keyof typeof operationModules;

/** Each route's operation; `satisfies` makes a route of the table without one fail typecheck. */
export const operations = {
  'GET /api/health': account.health,
  'GET /api/openapi.json': account.describeApi,
  'GET /api/usage': account.getUsage,
  'GET /api/me': account.describeMe,
  'GET /api/audit': account.listAuditTrail,
  'GET /api/settings': account.getSettings,
  'PATCH /api/settings': account.updateSettings,
  'POST /api/links': links.createLink,
  'GET /api/links': links.listLinks,
  'DELETE /api/links/{linkId}': links.revokeLink,
  'GET /api/drop': links.describeLink,
  'POST /api/drop/uploads': uploads.presignLinkUpload,
  'POST /api/drop/uploads/{uploadId}/confirm': uploads.confirmLinkUpload,
  'POST /api/drop/uploads/{uploadId}/parts': uploads.signLinkUploadParts,
  'GET /api/drop/uploads/{uploadId}/parts': uploads.listLinkUploadParts,
  'POST /api/drop/uploads/{uploadId}/complete': uploads.completeLinkUpload,
  'DELETE /api/drop/uploads/{uploadId}': uploads.abandonLinkUpload,
  'POST /api/uploads': uploads.presignOwnerUpload,
  'POST /api/uploads/{uploadId}/confirm': uploads.confirmOwnerUpload,
  'POST /api/uploads/{uploadId}/parts': uploads.signOwnerUploadParts,
  'GET /api/uploads/{uploadId}/parts': uploads.listOwnerUploadParts,
  'POST /api/uploads/{uploadId}/complete': uploads.completeOwnerUpload,
  'DELETE /api/uploads/{uploadId}': uploads.abandonOwnerUpload,
  'PUT /api/profile/photo': uploads.uploadProfilePhoto,
  'GET /api/profile/photo': uploads.downloadProfilePhoto,
  'GET /api/files': drive.listFiles,
  'GET /api/files/{fileId}/download': drive.downloadFile,
  'GET /api/files/{fileId}/thumbnail': drive.downloadThumbnail,
  'DELETE /api/files/{fileId}': drive.deleteFile,
  'PATCH /api/files/{fileId}': drive.updateFile,
  'POST /api/files/{fileId}/release': drive.releaseHeldFile,
  'GET /api/folders': drive.listFolders,
  'POST /api/folders': drive.createFolder,
  'PATCH /api/folders/{folderId}': drive.updateFolder,
  'DELETE /api/folders/{folderId}': drive.deleteFolder,
  'POST /api/shares': sharing.createShare,
  'GET /api/shares': sharing.listShares,
  'DELETE /api/shares/{shareId}': sharing.revokeShare,
  'GET /api/shared-with-me': sharing.listSharedWithMe,
} satisfies Record<RouteKey, Operation>;
