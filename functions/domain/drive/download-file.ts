import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, type DriveDeps } from '#domain/drive/access';
import { presignDownload, type SignedRead } from '#domain/drive/stored-files';
import type { SigningDeps } from '#domain/uploads/uploads';

/** A short-lived URL for a released file the caller may view; every URL signed is an audit entry. */
export async function downloadFile(
  deps: DriveDeps & SigningDeps & { readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  fileId: string,
): Promise<SignedRead> {
  const { file, ownerId } = await accessFile(deps, userId, fileId, 'view');
  const signed = await presignDownload(deps, file);
  await recordAudit(deps.audit, origin, { ownerId, action: 'file.download', objectId: fileId, outcome: 'signed' });
  return signed;
}
