import { Invalid } from '#commons/errors';
import { newFileId } from '#commons/ids';
import { logger } from '#commons/logger';
import type { OwnerUploadRequest, UploadRequest } from '#contracts/api/uploads';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { ROOT } from '#domain/drive/names';
import {
  assertLinkActive,
  giveBackLinkHold,
  heldUploadOf,
  holdLinkUse,
  type LinksStore,
  type UploadLink,
  type UseHold,
} from '#domain/links/upload-links';
import { cancelReservation, reserveUpload } from '#domain/quotas/reservations';
import type { QuotaStore } from '#domain/quotas/usage-item';
import {
  checkAgainstPolicy,
  linkUploadPolicy,
  ownerUploadPolicy,
  profilePhotoPolicy,
  refuseLinkPlacement,
} from '#domain/uploads/upload-policies';
import {
  type PresignedUpload,
  presignUpload,
  type SigningDeps,
  type SinglePutRequest,
  signUploadPut,
  urlExpiryOf,
} from '#domain/uploads/uploads';

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
  /** The signed URL's lifetime (`UPLOAD_URL_SECONDS`; tests shorten it). */
  readonly uploadUrlSeconds: number;
}

/**
 * Reserves the declared size against the space owner's quota, then signs; gives the
 * reservation back if signing fails.
 */
async function reservingQuota(
  deps: PresignDeps,
  ownerId: string,
  request: UploadRequest,
  upload: { fileId: string; now: Date; urlExpiresAt: Date },
  sign: () => Promise<PresignedUpload>,
): Promise<PresignedUpload> {
  const { fileId, now, urlExpiresAt } = upload;
  await reserveUpload(deps.quotas, { ownerId, fileId, bytes: request.size, urlExpiresAt }, deps.quotaBytes, now);
  try {
    return await sign();
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

/** The request as a single PUT (the contract requires its sha256 unless it asks for parts). */
function singlePut(request: UploadRequest): SinglePutRequest {
  if (request.multipart || request.sha256 === undefined) {
    throw new Invalid(
      'invalid_body',
      'Multipart uploads are not offered by this route yet: send one PUT with its sha256.',
    );
  }
  return { ...request, sha256: request.sha256 };
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
  const { folderId, onConflict, ...asked } = request;
  const upload = singlePut(asked);
  const policy = ownerUploadPolicy(deps.maxFileBytes);
  checkAgainstPolicy(upload, policy);
  const folder = await accessFolder(deps.drive, userId, folderId ?? ROOT, 'edit');
  const where = {
    ownerId: folder.ownerId,
    folderId: folder.folderId,
    onConflict: onConflict ?? 'keep-both',
    ...(folder.shareId ? { viaShare: { shareId: folder.shareId, granteeId: userId } } : {}),
  } as const;
  const now = new Date();
  const signing = {
    fileId: newFileId(now.getTime()),
    now,
    urlExpiresAt: urlExpiryOf(policy, now, deps.uploadUrlSeconds),
  };
  const signed = await reservingQuota(deps, folder.ownerId, upload, signing, () =>
    presignUpload(deps.storage, { owner: where, request: upload, ...signing }),
  );
  await recordSigned(deps, origin, folder.ownerId, signed, 'signed');
  logSigned(signed, upload);
  return signed;
}

/** A retry of a file whose upload already holds a use of the link: the same upload, signed again for the time it has left. */
async function resignHeld(
  deps: PresignDeps,
  origin: AuditOrigin,
  link: UploadLink,
  held: { fileId: string; hold: UseHold },
  /** The same file as the hold's (same SHA-256, size and type). */
  upload: SinglePutRequest,
  now: Date,
): Promise<PresignedUpload> {
  const signed = await signUploadPut(deps.storage, {
    ownerId: link.ownerId,
    fileId: held.fileId,
    request: upload,
    now,
    urlExpiresAt: new Date(held.hold.until * 1000),
  });
  await recordSigned(deps, origin, link.ownerId, signed, 'signed:again');
  return signed;
}

/**
 * Link upload: checks the file against the link first, so a refused file costs the client
 * nothing. Then holds a use of the link (the race for the last use is decided there, and its
 * losers learn the true reason), then reserves the owner's quota; a refusal of the quota or a
 * failure to sign gives the use back. The use is spent only when the file arrives.
 */
export async function presignLinkUpload(
  deps: PresignDeps,
  origin: AuditOrigin,
  link: UploadLink,
  request: OwnerUploadRequest,
): Promise<PresignedUpload> {
  const upload = singlePut(refuseLinkPlacement(request));
  const policy = linkUploadPolicy(link, deps.maxFileBytes);
  checkAgainstPolicy(upload, policy);
  const now = new Date();
  const retried = heldUploadOf(link, upload, now);
  if (retried) return resignHeld(deps, origin, link, retried, upload, now);
  // The link as authenticated moments ago: one already used up costs no write.
  assertLinkActive(link, now);
  const signing = {
    fileId: newFileId(now.getTime()),
    now,
    urlExpiresAt: urlExpiryOf(policy, now, deps.uploadUrlSeconds),
  };
  const hold: UseHold = {
    sha256: upload.sha256,
    size: upload.size,
    contentType: upload.contentType,
    until: Math.floor(signing.urlExpiresAt.getTime() / 1000),
  };
  const taken = await holdLinkUse(deps.links, link.linkId, signing.fileId, hold, now);
  if (taken.heldBy === 'earlier') return resignHeld(deps, origin, link, taken, upload, now);
  let signed: PresignedUpload;
  try {
    const where = { ownerId: link.ownerId, linkId: link.linkId };
    signed = await reservingQuota(deps, link.ownerId, upload, signing, () =>
      presignUpload(deps.storage, { owner: where, request: upload, ...signing }),
    );
  } catch (error) {
    await giveBackLinkHold(deps.links, link.linkId, signing.fileId).catch((giveBackError) =>
      logger.error('could not give back a link use', giveBackError as Error),
    );
    throw error;
  }
  await recordSigned(deps, origin, link.ownerId, signed, 'signed');
  logSigned(signed, upload);
  return signed;
}

/**
 * A profile photo upload (an image of at most 5 MB); the validator turns it into the owner's
 * 400x400 picture. Not a document: no folder, no quota.
 */
export async function presignProfilePhotoUpload(
  deps: Pick<PresignDeps, 'storage' | 'audit' | 'uploadUrlSeconds'>,
  origin: AuditOrigin,
  ownerId: string,
  request: UploadRequest,
): Promise<PresignedUpload> {
  checkAgainstPolicy(request, profilePhotoPolicy);
  const now = new Date();
  const signed = await presignUpload(deps.storage, {
    owner: { ownerId },
    request: singlePut(request),
    fileId: newFileId(now.getTime()),
    now,
    urlExpiresAt: urlExpiryOf(profilePhotoPolicy, now, deps.uploadUrlSeconds),
    purpose: 'profile-photo',
  });
  await recordSigned(deps, origin, ownerId, signed, 'signed:profile-photo');
  return signed;
}
