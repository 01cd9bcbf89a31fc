import { newFileId } from '#commons/ids';
import { logger } from '#commons/logger';
import type { OwnerUploadRequest, UploadRequest } from '#contracts/api/uploads';
import { limits } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { ROOT } from '#domain/drive/names';
import { consumeLinkUse, type LinksStore, refundLinkUse, type UploadLink } from '#domain/links/upload-links';
import { cancelReservation, reserveUpload } from '#domain/quotas/reservations';
import type { QuotaStore } from '#domain/quotas/usage-item';
import {
  checkAgainstPolicy,
  linkUploadPolicy,
  ownerUploadPolicy,
  profilePhotoPolicy,
  refuseLinkPlacement,
} from '#domain/uploads/upload-policies';
import { type PresignedUpload, presignUpload, type SigningDeps } from '#domain/uploads/uploads';

export interface PresignDeps {
  readonly storage: SigningDeps;
  readonly drive: DriveDeps;
  readonly quotas: QuotaStore;
  readonly links: LinksStore;
  readonly audit: AuditLog;
  /** The operator's per-file limit (`MAX_FILE_BYTES`). */
  readonly maxFileBytes: number;
  /** Each owner's storage quota (`DEFAULT_QUOTA_BYTES`). */
  readonly quotaBytes: number;
}

/**
 * Reserves the declared size against the space owner's quota, then signs; gives the
 * reservation back if anything after it fails (a link used up meanwhile, signing).
 */
async function reservingQuota(
  deps: PresignDeps,
  ownerId: string,
  request: UploadRequest,
  sign: (fileId: string, now: Date) => Promise<PresignedUpload>,
): Promise<PresignedUpload> {
  const now = new Date();
  const fileId = newFileId(now.getTime());
  // The URL lives at most this long (less when a link expires sooner).
  const urlExpiresAt = new Date(now.getTime() + limits.uploadUrlSeconds * 1000);
  await reserveUpload(deps.quotas, { ownerId, fileId, bytes: request.size, urlExpiresAt }, deps.quotaBytes, now);
  try {
    return await sign(fileId, now);
  } catch (error) {
    await cancelReservation(deps.quotas, ownerId, fileId).catch((releaseError) =>
      logger.error('could not give back a quota reservation', releaseError as Error),
    );
    throw error;
  }
}

async function recordSigned(
  deps: Pick<PresignDeps, 'audit'>,
  origin: AuditOrigin,
  ownerId: string,
  upload: PresignedUpload,
  outcome: string,
): Promise<void> {
  await recordAudit(deps.audit, origin, { ownerId, action: 'upload.presign', objectId: upload.uploadId, outcome });
}

const logSigned = (upload: PresignedUpload, request: UploadRequest) =>
  logger.info('upload signed', { uploadId: upload.uploadId, size: request.size, contentType: request.contentType });

/**
 * Owner upload: the owner's defaults; no link involved. Into the caller's own top level, or a
 * folder of theirs or one shared with them to edit: the file is then in that folder's owner's
 * drive and counts against that owner's quota.
 */
export async function presignOwnerUpload(
  deps: PresignDeps,
  origin: AuditOrigin,
  userId: string,
  request: OwnerUploadRequest,
): Promise<PresignedUpload> {
  const { folderId, onConflict, ...upload } = request;
  const policy = ownerUploadPolicy(deps.maxFileBytes);
  checkAgainstPolicy(upload, policy);
  const folder = await accessFolder(deps.drive, userId, folderId ?? ROOT, 'edit');
  const where = { ownerId: folder.ownerId, folderId: folder.folderId, onConflict: onConflict ?? 'keep-both' } as const;
  const signed = await reservingQuota(deps, folder.ownerId, upload, (fileId, now) =>
    presignUpload(deps.storage, { owner: where, request: upload, policy, fileId, now }),
  );
  await recordSigned(deps, origin, folder.ownerId, signed, 'signed');
  logSigned(signed, upload);
  return signed;
}

/**
 * Link upload: checks the file against the link and the link owner's quota before taking a
 * use, so a refused file costs the client nothing; gives the use back if signing fails after
 * it was taken.
 */
export async function presignLinkUpload(
  deps: PresignDeps,
  origin: AuditOrigin,
  link: UploadLink,
  request: OwnerUploadRequest,
): Promise<PresignedUpload> {
  const upload = refuseLinkPlacement(request);
  const policy = linkUploadPolicy(link, deps.maxFileBytes);
  checkAgainstPolicy(upload, policy);
  const signed = await reservingQuota(deps, link.ownerId, upload, async (fileId, now) => {
    await consumeLinkUse(deps.links, link.linkId);
    try {
      const where = { ownerId: link.ownerId, linkId: link.linkId };
      return await presignUpload(deps.storage, { owner: where, request: upload, policy, fileId, now });
    } catch (error) {
      await refundLinkUse(deps.links, link.linkId).catch((refundError) =>
        logger.error('could not give back a link use', refundError as Error),
      );
      throw error;
    }
  });
  await recordSigned(deps, origin, link.ownerId, signed, 'signed');
  logSigned(signed, upload);
  return signed;
}

/**
 * A profile photo upload (an image of at most 5 MB); the validator turns it into the owner's
 * 400x400 picture. Not a document: no folder, no quota.
 */
export async function presignProfilePhotoUpload(
  deps: Pick<PresignDeps, 'storage' | 'audit'>,
  origin: AuditOrigin,
  ownerId: string,
  request: UploadRequest,
): Promise<PresignedUpload> {
  checkAgainstPolicy(request, profilePhotoPolicy);
  const now = new Date();
  const signed = await presignUpload(deps.storage, {
    owner: { ownerId },
    request,
    policy: profilePhotoPolicy,
    fileId: newFileId(now.getTime()),
    now,
    purpose: 'profile-photo',
  });
  await recordSigned(deps, origin, ownerId, signed, 'signed:profile-photo');
  return signed;
}
