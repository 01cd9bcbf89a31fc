import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessUpload, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, verifiedDigests } from '#domain/drive/file-records';
import type { UploadLink } from '#domain/links/upload-links';
import { confirmUpload, type Revalidation, type StorageDeps } from '#domain/uploads/uploads';

export interface ConfirmDeps {
  readonly storage: StorageDeps;
  readonly revalidation: Revalidation;
  readonly drive: DriveDeps;
  readonly audit: AuditLog;
}

async function confirmAndRecord(
  deps: ConfirmDeps,
  origin: AuditOrigin,
  owner: { ownerId: string; linkId?: string },
  uploadId: string,
): Promise<FileRecord> {
  const now = new Date();
  const file = await confirmUpload({ ...deps.storage, ...deps.revalidation }, owner, uploadId, now);
  // Asked again, confirm only reads the state (the drop page and the profile photo follow the
  // checks that way): the trail records the one confirmation, the one that set confirmedAt.
  if (file.confirmedAt === now.toISOString()) {
    await recordAudit(deps.audit, origin, {
      ownerId: owner.ownerId,
      action: 'upload.confirm',
      objectId: file.fileId,
      outcome: file.status,
    });
  }
  return file;
}

/** A signed-in user confirms their own upload, or one they made into a folder shared with them to edit. */
export async function confirmOwnerUpload(
  deps: ConfirmDeps,
  origin: AuditOrigin,
  userId: string,
  uploadId: string,
): Promise<FileRecord> {
  const { ownerId } = await accessUpload(deps.drive, userId, uploadId);
  return confirmAndRecord(deps, origin, { ownerId }, uploadId);
}

/** A link holder reaches only the uploads made through its own link. */
export async function confirmLinkUpload(
  deps: ConfirmDeps,
  origin: AuditOrigin,
  link: Pick<UploadLink, 'ownerId' | 'linkId'>,
  uploadId: string,
): Promise<FileRecord> {
  return confirmAndRecord(deps, origin, { ownerId: link.ownerId, linkId: link.linkId }, uploadId);
}

/** The confirmed upload's state; with `reason` when it was rejected, and the digests storage verified. */
export const uploadOutcome = (file: FileRecord) => ({
  status: file.status,
  ...(file.reason ? { reason: file.reason } : {}),
  ...verifiedDigests(file),
});
