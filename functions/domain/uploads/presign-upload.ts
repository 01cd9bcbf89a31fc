import type { S3Client } from '@aws-sdk/client-s3';
import { Conflict, Invalid } from '#commons/errors';
import { newFileId } from '#commons/ids';
import { logger } from '#commons/logger';
import type { MultipartUpload, OwnerUploadRequest, UploadRequest } from '#contracts/api/uploads';
import { incomingKey } from '#contracts/bucket';
import { functionTimeoutSeconds } from '#contracts/functions';
import { multipart, planParts } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFolder, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, getFile } from '#domain/drive/file-records';
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
import { abortMultipartUpload, createMultipartUpload } from '#domain/uploads/multipart-uploads';
import {
  checkAgainstPolicy,
  linkUploadPolicy,
  ownerUploadPolicy,
  profilePhotoPolicy,
  refuseLinkPlacement,
  type UploadPolicy,
} from '#domain/uploads/upload-policies';
import {
  type PresignedUpload,
  presignUpload,
  recordPendingUpload,
  type SigningDeps,
  type SinglePutRequest,
  signUploadPut,
  type UploadToSign,
  urlExpiryOf,
} from '#domain/uploads/uploads';

/** What a presign answers: one signed PUT, or a multipart upload's plan (its parts are signed later). */
export type SignedUpload = PresignedUpload | MultipartUpload;

export interface PresignDeps {
  /** The S3 client opens multipart uploads; single PUTs are only signed. */
  readonly storage: SigningDeps & { readonly s3: S3Client };
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
  sign: () => Promise<SignedUpload>,
): Promise<SignedUpload> {
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
  upload: SignedUpload,
  outcome: string,
): Promise<void> {
  await recordAudit(deps.audit, origin, { ownerId, action: 'upload.presign', objectId: upload.uploadId, outcome });
}

/** The request as a single PUT (the contract requires its sha256 unless it asks for parts). */
function singlePut(request: UploadRequest): SinglePutRequest {
  if (request.sha256 === undefined) {
    throw new Invalid('invalid_body', 'sha256 is required for a single PUT (send multipart: true to upload in parts).');
  }
  return { ...request, sha256: request.sha256 };
}

const logSigned = (upload: SignedUpload, request: UploadRequest) =>
  logger.info('upload signed', {
    uploadId: upload.uploadId,
    method: upload.method,
    size: request.size,
    contentType: request.contentType,
  });

/** When what is signed now stops working: a PUT's URL, or a multipart upload (never past the policy's end). */
const expiryOf = (
  deps: Pick<PresignDeps, 'uploadUrlSeconds'>,
  policy: UploadPolicy,
  request: UploadRequest,
  now: Date,
) => urlExpiryOf(policy, now, request.multipart ? multipart.uploadSeconds : deps.uploadUrlSeconds);

const multipartAnswer = (
  fileId: string,
  plan: NonNullable<FileRecord['multipart']>,
  expiresAt: Date,
): MultipartUpload => ({
  uploadId: fileId,
  method: 'MULTIPART',
  partSize: plan.partSize,
  partCount: plan.partCount,
  expiresAt: expiresAt.toISOString(),
});

/**
 * Opens the multipart upload on the server-chosen key, then records it pending with its plan;
 * a failure to record aborts the S3 upload, so nothing is left open that no record names.
 */
async function openMultipartUpload(
  deps: PresignDeps,
  upload: Omit<UploadToSign, 'request'> & { request: UploadRequest },
): Promise<MultipartUpload> {
  const target = { ...deps.storage, key: incomingKey(upload.owner.ownerId, upload.fileId) };
  const plan = planParts(upload.request.size);
  const s3UploadId = await createMultipartUpload(target, upload.request.contentType);
  try {
    await recordPendingUpload(deps.storage.files, { ...upload, multipart: { s3UploadId, ...plan } });
  } catch (error) {
    await abortMultipartUpload(target, s3UploadId).catch((abortError) =>
      logger.error('could not abort a multipart upload no record names', abortError as Error),
    );
    throw error;
  }
  return { ...multipartAnswer(upload.fileId, { s3UploadId, ...plan }, upload.urlExpiresAt) };
}

/** A new upload: recorded and signed as one PUT, or opened in parts. */
const signNew = (deps: PresignDeps, upload: Omit<UploadToSign, 'request'> & { request: UploadRequest }) =>
  upload.request.multipart
    ? openMultipartUpload(deps, upload)
    : presignUpload(deps.storage, { ...upload, request: singlePut(upload.request) });

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
): Promise<SignedUpload> {
  const { folderId, onConflict, ...upload } = request;
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
  const signing = { fileId: newFileId(now.getTime()), now, urlExpiresAt: expiryOf(deps, policy, upload, now) };
  const signed = await reservingQuota(deps, folder.ownerId, upload, signing, () =>
    signNew(deps, { owner: where, request: upload, ...signing }),
  );
  await recordSigned(deps, origin, folder.ownerId, signed, 'signed');
  logSigned(signed, upload);
  return signed;
}

/**
 * A retry of a file whose upload already holds a use of the link: the same upload, as it was
 * signed (one PUT signed again for the time it has left, or the multipart upload's plan).
 */
async function resignHeld(
  deps: PresignDeps,
  origin: AuditOrigin,
  link: UploadLink,
  held: { fileId: string; hold: UseHold },
  /** The same file as the hold's (same SHA-256, size and type). */
  upload: UploadRequest,
  now: Date,
): Promise<SignedUpload | 'stale'> {
  const until = new Date(held.hold.until * 1000);
  const record = await getFile(deps.storage.files, link.ownerId, held.fileId);
  if (!record) {
    // The request that took this use has not recorded its upload: still on its way, or it died
    // (a 503 at its deadline aborts its calls, the give-back among them). Past the longest a
    // presign can run, nothing will record it: the caller gives the use back and starts again.
    const heldFor = Math.floor(now.getTime() / 1000) - (held.hold.heldAt ?? 0);
    if (heldFor > functionTimeoutSeconds['presign-upload']) return 'stale';
    throw new Conflict('upload_being_signed', 'The same file is being signed by another request: try again shortly.');
  }
  const signed = record.multipart
    ? multipartAnswer(held.fileId, record.multipart, until)
    : await signUploadPut(deps.storage, {
        ownerId: link.ownerId,
        fileId: held.fileId,
        request: singlePut(upload),
        now,
        urlExpiresAt: until,
      });
  await recordSigned(deps, origin, link.ownerId, signed, 'signed:again');
  return signed;
}

/** Gives back a use (and any bytes) a presign that died took for an upload it never recorded. */
async function giveBackStaleHold(deps: PresignDeps, link: UploadLink, fileId: string): Promise<UploadLink> {
  await giveBackLinkHold(deps.links, link.linkId, fileId);
  await cancelReservation(deps.quotas, link.ownerId, fileId);
  logger.warn('gave back a link use whose upload was never recorded', { linkId: link.linkId, fileId });
  const { [fileId]: _stale, ...holds } = link.holds ?? {};
  return { ...link, holds, usesTaken: link.usesTaken - 1 };
}

/** The held upload signed again; or, when its presign died before recording it, its use given back and the file signed anew. */
async function resignHeldOrAnew(
  deps: PresignDeps,
  origin: AuditOrigin,
  link: UploadLink,
  held: { fileId: string; hold: UseHold },
  asked: { request: OwnerUploadRequest; upload: UploadRequest },
  now: Date,
): Promise<SignedUpload> {
  const { request, upload } = asked;
  const again = await resignHeld(deps, origin, link, held, upload, now);
  if (again !== 'stale') return again;
  return presignLinkUpload(deps, origin, await giveBackStaleHold(deps, link, held.fileId), request);
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
): Promise<SignedUpload> {
  const upload = refuseLinkPlacement(request);
  const policy = linkUploadPolicy(link, deps.maxFileBytes);
  checkAgainstPolicy(upload, policy);
  const now = new Date();
  const retried = heldUploadOf(link, upload, now);
  if (retried) return resignHeldOrAnew(deps, origin, link, retried, { request, upload }, now);
  // The link as authenticated moments ago: one already used up costs no write.
  assertLinkActive(link, now);
  const signing = { fileId: newFileId(now.getTime()), now, urlExpiresAt: expiryOf(deps, policy, upload, now) };
  const hold: UseHold = {
    ...(upload.sha256 ? { sha256: upload.sha256 } : {}),
    size: upload.size,
    contentType: upload.contentType,
    heldAt: Math.floor(now.getTime() / 1000),
    until: Math.floor(signing.urlExpiresAt.getTime() / 1000),
  };
  const taken = await holdLinkUse(deps.links, link.linkId, signing.fileId, hold, now);
  if (taken.heldBy === 'earlier') return resignHeldOrAnew(deps, origin, link, taken, { request, upload }, now);
  let signed: SignedUpload;
  try {
    const where = { ownerId: link.ownerId, linkId: link.linkId };
    signed = await reservingQuota(deps, link.ownerId, upload, signing, () =>
      signNew(deps, { owner: where, request: upload, ...signing }),
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
  deps: { storage: SigningDeps } & Pick<PresignDeps, 'audit' | 'uploadUrlSeconds'>,
  origin: AuditOrigin,
  ownerId: string,
  request: UploadRequest,
): Promise<PresignedUpload> {
  checkAgainstPolicy(request, profilePhotoPolicy);
  // A profile photo is small: always one PUT.
  if (request.multipart) throw new Invalid('invalid_body', 'A profile photo is sent as one PUT, not in parts.');
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
