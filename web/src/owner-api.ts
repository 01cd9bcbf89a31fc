import type { OwnerSettings, PdfActiveContentPolicy } from '#contracts/api/account';
import type { ActiveContentKind } from '#contracts/api/drive';
import type { PartsToSign, SignedPart, StoredPart } from '#contracts/api/uploads';
import { ApiError, callApi } from './api-client';
import type { AppConfig } from './config';
import type { Session } from './session';
import {
  abandonUpload,
  type MultipartUpload,
  type PresignedUpload,
  type UploadOutcome,
  type UploadRequest,
} from './upload-flow';
import type { Usage } from './usage-words';

export type { Usage } from './usage-words';

export type FileStatus = 'pending' | 'clean' | 'rejected' | 'expired' | 'held';

/** One row of `GET /api/files` (functions/domain/drive/file-records.ts describeFile). */
export interface FileItem {
  readonly fileId: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly status: FileStatus;
  readonly createdAt: string;
  /** `root` for the top level. */
  readonly folderId: string;
  readonly linkId?: string;
  readonly reason?: string;
  readonly width?: number;
  readonly height?: number;
  /** A PDF released with active content: what it carries (contracts/api/drive.ts). */
  readonly activeContent?: ActiveContentKind[];
}

/** One row of `GET /api/links` (describeLinkForOwner). */
export interface LinkItem {
  readonly linkId: string;
  readonly label: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly maxUploads: number;
  readonly usesTaken: number;
  readonly uploadsLeft: number;
  readonly maxBytes: number;
  readonly allowedTypes: string[];
  readonly revoked: boolean;
  readonly state: 'active' | 'expired' | 'revoked' | 'used-up';
  /** The link's own choice; absent: the owner's setting applies. */
  readonly pdfActiveContent?: PdfActiveContentPolicy;
}

export interface NewLink {
  readonly label: string;
  readonly expiresInHours: number;
  readonly maxUploads: number;
  readonly maxBytes: number;
  readonly allowedTypes: string[];
  readonly pdfActiveContent?: PdfActiveContentPolicy;
}

export interface CreatedLink {
  readonly linkId: string;
  readonly label: string;
  readonly token: string;
  readonly url: string;
  readonly expiresAt: string;
  readonly maxUploads: number;
  readonly maxBytes: number;
  readonly allowedTypes: string[];
}

export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

/** One line of `GET /api/audit` (functions/domain/audit/audit-trail.ts describeAuditEntry). */
export interface AuditItem {
  readonly eventId: string;
  readonly at: string;
  readonly action: string;
  /** `user:<sub>`, `link:<linkId>` or `system:validator`. */
  readonly actor: string;
  readonly objectId: string;
  readonly outcome: string;
  readonly requestId?: string;
  readonly sourceIp?: string;
}

/** One folder as the API describes it (functions/domain/drive/folders.ts describeFolder). */
export interface FolderItem {
  readonly folderId: string;
  readonly name: string;
  readonly parentId: string;
  readonly createdAt: string;
}

export type ShareRole = 'view' | 'edit';

/** One row of `GET /api/shared-with-me`: a file or a folder someone else shared with the caller. */
export interface SharedItem {
  readonly shareId: string;
  readonly role: ShareRole;
  readonly ownerId: string;
  readonly sharedAt: string;
  readonly kind: 'file' | 'folder';
  readonly file?: FileItem;
  readonly folder?: FolderItem;
}

/** One of the caller's own shares, as `GET /api/shares` lists it. */
export interface ShareItem {
  readonly shareId: string;
  readonly targetKind: 'file' | 'folder';
  readonly targetId: string;
  readonly role: ShareRole;
  readonly granteeEmail: string;
  readonly createdAt: string;
  readonly name: string;
}

export interface SignedUrl {
  readonly url: string;
  readonly expiresAt: string;
}

/** The owner routes of contracts/routes.ts, signed with the session's token (refreshed once on a 401). */
export class OwnerApi {
  constructor(
    private readonly config: AppConfig,
    private readonly session: Session,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await callApi<T>(this.config.apiUrl, method, path, { bearer: await this.session.bearer() }, body);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      await this.session.refreshNow();
      return callApi<T>(this.config.apiUrl, method, path, { bearer: await this.session.bearer() }, body);
    }
  }

  private static page(cursor: string | undefined, limit: number): string {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return query.toString();
  }

  /** One folder's files (`root`, the top level, by default). */
  listFiles(cursor?: string, limit = 25, folder = 'root'): Promise<Page<FileItem>> {
    const folderQuery = folder === 'root' ? '' : `&folder=${encodeURIComponent(folder)}`;
    return this.call('GET', `/api/files?${OwnerApi.page(cursor, limit)}${folderQuery}`);
  }
  listFolders(parent = 'root', cursor?: string, limit = 100): Promise<Page<FolderItem>> {
    return this.call('GET', `/api/folders?${OwnerApi.page(cursor, limit)}&parent=${encodeURIComponent(parent)}`);
  }
  createFolder(name: string, parentId: string): Promise<FolderItem> {
    return this.call('POST', '/api/folders', { name, parentId });
  }
  renameFolder(folderId: string, name: string): Promise<FolderItem> {
    return this.call('PATCH', `/api/folders/${encodeURIComponent(folderId)}`, { name });
  }
  /** Only an empty folder goes (409 `folder_not_empty` otherwise). */
  deleteFolder(folderId: string): Promise<void> {
    return this.call('DELETE', `/api/folders/${encodeURIComponent(folderId)}`);
  }
  /** Rename and/or move (`folderId` `root` is the top level). */
  updateFile(fileId: string, change: { name?: string; folderId?: string }): Promise<FileItem> {
    return this.call('PATCH', `/api/files/${encodeURIComponent(fileId)}`, change);
  }
  share(target: { fileId: string } | { folderId: string }, email: string, role: ShareRole): Promise<unknown> {
    return this.call('POST', '/api/shares', { email, role, ...target });
  }
  listShares(cursor?: string, limit = 50): Promise<Page<ShareItem>> {
    return this.call('GET', `/api/shares?${OwnerApi.page(cursor, limit)}`);
  }
  revokeShare(shareId: string): Promise<void> {
    return this.call('DELETE', `/api/shares/${encodeURIComponent(shareId)}`);
  }
  sharedWithMe(cursor?: string, limit = 50): Promise<Page<SharedItem>> {
    return this.call('GET', `/api/shared-with-me?${OwnerApi.page(cursor, limit)}`);
  }
  download(fileId: string): Promise<SignedUrl> {
    return this.call('GET', `/api/files/${encodeURIComponent(fileId)}/download`);
  }
  thumbnail(fileId: string): Promise<SignedUrl> {
    return this.call('GET', `/api/files/${encodeURIComponent(fileId)}/thumbnail`);
  }
  deleteFile(fileId: string): Promise<void> {
    return this.call('DELETE', `/api/files/${encodeURIComponent(fileId)}`);
  }
  /** A held file released by its owner: it is judged again as any upload (answers it pending). */
  releaseHeldFile(fileId: string): Promise<FileItem> {
    return this.call('POST', `/api/files/${encodeURIComponent(fileId)}/release`);
  }
  presign(request: UploadRequest): Promise<PresignedUpload | MultipartUpload> {
    return this.call('POST', '/api/uploads', request);
  }
  confirm(uploadId: string): Promise<UploadOutcome> {
    return this.settled(`/api/uploads/${encodeURIComponent(uploadId)}/confirm`);
  }
  signParts(uploadId: string, parts: PartsToSign['parts']): Promise<SignedPart[]> {
    return this.call<{ parts: SignedPart[] }>('POST', `/api/uploads/${encodeURIComponent(uploadId)}/parts`, {
      parts,
    }).then((answer) => answer.parts);
  }
  listParts(uploadId: string): Promise<StoredPart[]> {
    return this.call<{ parts: StoredPart[] }>('GET', `/api/uploads/${encodeURIComponent(uploadId)}/parts`).then(
      (answer) => answer.parts,
    );
  }
  /** Completes a multipart upload; answers like confirm. */
  complete(uploadId: string): Promise<UploadOutcome> {
    return this.settled(`/api/uploads/${encodeURIComponent(uploadId)}/complete`);
  }
  /** Confirm and complete answer the file's id and state; the portal follows the file by its id. */
  private async settled(path: string): Promise<UploadOutcome> {
    const answer = await this.call<Omit<UploadOutcome, 'uploadId'> & { fileId: string }>('POST', path);
    return {
      uploadId: answer.fileId,
      status: answer.status,
      ...(answer.reason ? { reason: answer.reason } : {}),
      ...(answer.partsSha256 ? { partsSha256: answer.partsSha256 } : {}),
    };
  }
  /** Gives up an upload whose bytes did not arrive (see upload-flow.ts `sendFile`). */
  abandon(uploadId: string): Promise<'given-back' | 'arrived'> {
    return abandonUpload(() => this.call('DELETE', `/api/uploads/${encodeURIComponent(uploadId)}`));
  }
  presignProfilePhoto(request: UploadRequest): Promise<PresignedUpload> {
    return this.call('PUT', '/api/profile/photo', request);
  }
  profilePhoto(): Promise<SignedUrl> {
    return this.call('GET', '/api/profile/photo');
  }
  listLinks(cursor?: string, limit = 50): Promise<Page<LinkItem>> {
    return this.call('GET', `/api/links?${OwnerApi.page(cursor, limit)}`);
  }
  createLink(link: NewLink): Promise<CreatedLink> {
    return this.call('POST', '/api/links', link);
  }
  revokeLink(linkId: string): Promise<void> {
    return this.call('DELETE', `/api/links/${encodeURIComponent(linkId)}`);
  }
  usage(): Promise<Usage> {
    return this.call('GET', '/api/usage');
  }
  listAudit(cursor?: string, limit = 20): Promise<Page<AuditItem>> {
    return this.call('GET', `/api/audit?${OwnerApi.page(cursor, limit)}`);
  }
  settings(): Promise<OwnerSettings> {
    return this.call('GET', '/api/settings');
  }
  updateSettings(change: Partial<OwnerSettings>): Promise<OwnerSettings> {
    return this.call('PATCH', '/api/settings', change);
  }
}
