import { type CreatedLink, type FileItem, type LinkItem, type NewLink, OwnerApi, type Page } from './owner-api';
import type { MultipartUpload, PresignedUpload, UploadOutcome, UploadRequest } from './upload-flow';

/**
 * The owner API as the portal uses it. It notices the answers after which the owner's stored
 * bytes may have changed (a presign reserves, a settled upload moves its bytes, a delete gives
 * them back), so the usage meter follows without hooks in every view. And it remembers the
 * names of the files and links it has seen, because the audit trail names objects by id only.
 */
export class WatchedOwnerApi extends OwnerApi {
  /** Set by the usage meter; called after any answer that may change the owner's usage. */
  onStorageChange: () => void = () => {};
  private readonly names = new Map<string, string>();
  private readonly pending = new Set<string>();

  /** The file name or link label behind an id, if this tab has seen it. */
  nameOf(id: string): string | undefined {
    return this.names.get(id);
  }

  override async listFiles(cursor?: string, limit?: number, folder?: string): Promise<Page<FileItem>> {
    const page = await super.listFiles(cursor, limit, folder);
    let settled = false;
    for (const file of page.items) {
      this.names.set(file.fileId, file.name);
      if (file.status === 'pending') this.pending.add(file.fileId);
      else if (this.pending.delete(file.fileId)) settled = true;
    }
    if (settled) this.onStorageChange();
    return page;
  }

  override async listLinks(cursor?: string, limit?: number): Promise<Page<LinkItem>> {
    const page = await super.listLinks(cursor, limit);
    for (const link of page.items) this.names.set(link.linkId, link.label);
    return page;
  }

  override async createLink(link: NewLink): Promise<CreatedLink> {
    const created = await super.createLink(link);
    this.names.set(created.linkId, created.label);
    return created;
  }

  override async presign(request: UploadRequest): Promise<PresignedUpload | MultipartUpload> {
    try {
      const upload = await super.presign(request);
      this.names.set(upload.uploadId, request.fileName);
      return upload;
    } finally {
      // Reserved on success; refused (perhaps over quota) otherwise: either way the meter reads again.
      this.onStorageChange();
    }
  }

  override async confirm(uploadId: string): Promise<UploadOutcome> {
    return this.noticed(await super.confirm(uploadId));
  }

  override async complete(uploadId: string): Promise<UploadOutcome> {
    return this.noticed(await super.complete(uploadId));
  }

  private noticed(outcome: UploadOutcome): UploadOutcome {
    if (outcome.status === 'pending') this.pending.add(outcome.uploadId);
    else this.onStorageChange();
    return outcome;
  }

  override async deleteFile(fileId: string): Promise<void> {
    try {
      await super.deleteFile(fileId);
    } finally {
      this.pending.delete(fileId);
      this.onStorageChange();
    }
  }
}
