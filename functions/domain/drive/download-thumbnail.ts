import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, type DriveDeps } from '#domain/drive/access';
import { presignThumbnail, type SignedRead } from '#domain/drive/stored-files';
import type { SigningDeps } from '#domain/uploads/uploads';

/** A short-lived URL for an image's 400x400 WebP preview; 404 for files that are not images. */
export async function downloadThumbnail(
  deps: DriveDeps & SigningDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  fileId: string,
): Promise<SignedRead> {
  const { file, ownerId } = await accessFile(deps, userId, fileId, 'view');
  const preview = await presignThumbnail(deps, file);
  // A preview shows the document's content: it is an access like a download.
  await recordAudit(deps.audit, origin, { ownerId, action: 'file.thumbnail', objectId: fileId, outcome: 'signed' });
  return preview;
}
