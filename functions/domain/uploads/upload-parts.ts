import type { S3Client } from '@aws-sdk/client-s3';
import { Conflict, Invalid, NotFound } from '#commons/errors';
import type { Caller } from '#commons/http';
import { logger } from '#commons/logger';
import type { UrlSigner } from '#commons/url-signer';
import type { PartsToSign, SignedPart, StoredPart } from '#contracts/api/uploads';
import { incomingKey } from '#contracts/bucket';
import { plannedPartSize } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessUpload, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, type FilesStore, getFile, markCompleted, notePartsSha256 } from '#domain/drive/file-records';
import type { UploadLink } from '#domain/links/upload-links';
import {
  completeMultipartUpload,
  compositeSha256Of,
  listStoredParts,
  type MultipartTarget,
  signPartPut,
} from '#domain/uploads/multipart-uploads';
import { objectExists } from '#domain/uploads/uploads';

/** Who asks: a signed-in user (their own upload, or one into a folder shared with them to edit), or a link holder. */
export type UploadCaller =
  | { readonly kind: 'owner'; readonly ownerId: string }
  | { readonly kind: 'link'; readonly link: Pick<UploadLink, 'ownerId' | 'linkId'> };

/** The caller of a multipart route (the route table admits owners and link holders only). */
export function uploadCallerOf(caller: Caller): UploadCaller {
  if (caller.kind === 'public') throw new Error('a multipart route is never public');
  return caller;
}

type MultipartRecord = FileRecord & { readonly multipart: NonNullable<FileRecord['multipart']> };

const notFound = () => new NotFound('upload_not_found', 'No such upload.');

/** The caller's multipart upload, with the same tenancy as confirm: another owner's, or another link's, is not found. */
async function multipartUploadOf(
  deps: { readonly drive: DriveDeps; readonly files: FilesStore },
  caller: UploadCaller,
  uploadId: string,
): Promise<MultipartRecord> {
  const ownerId =
    caller.kind === 'link' ? caller.link.ownerId : (await accessUpload(deps.drive, caller.ownerId, uploadId)).ownerId;
  const file = await getFile(deps.files, ownerId, uploadId);
  if (!file || file.purpose || (caller.kind === 'link' && file.linkId !== caller.link.linkId)) throw notFound();
  if (!file.multipart) {
    throw new Conflict('not_multipart', 'This upload is a single PUT: send it with its signed URL, then confirm it.');
  }
  return file as MultipartRecord;
}

/** Refuses an upload that can take no more parts: completed, settled, given up, or past its time. */
function assertOpen(file: MultipartRecord, now: Date): void {
  if (file.completedAt) throw new Conflict('upload_completed', 'This upload is already complete.');
  if (file.status !== 'pending') throw new Conflict('upload_not_open', `This upload is ${file.status}: start again.`);
  if (file.uploadUntil !== undefined && now.getTime() >= file.uploadUntil * 1000) {
    throw new Conflict('upload_expired', 'This upload was not completed in time and is being given back: start again.');
  }
}

const targetOf = (storage: { s3: S3Client; bucket: string }, file: FileRecord): MultipartTarget => ({
  ...storage,
  key: incomingKey(file.ownerId, file.fileId),
});

export interface SignPartsDeps {
  readonly signer: UrlSigner;
  readonly bucket: string;
  readonly files: FilesStore;
  readonly drive: DriveDeps;
  /** A part URL's lifetime at most (`UPLOAD_URL_SECONDS`); never past the upload's own expiry. */
  readonly uploadUrlSeconds: number;
}

/** Signs each asked part's PUT, pinned to the plan's exact length for that part and the SHA-256 the client declares. */
export async function signUploadParts(
  deps: SignPartsDeps,
  caller: UploadCaller,
  uploadId: string,
  { parts }: PartsToSign,
  now = new Date(),
): Promise<SignedPart[]> {
  const file = await multipartUploadOf(deps, caller, uploadId);
  assertOpen(file, now);
  const { s3UploadId, ...plan } = file.multipart;
  for (const part of parts) {
    if (part.partNumber > plan.partCount) {
      throw new Invalid('part_not_in_plan', `Part ${part.partNumber} is not in this upload: it has ${plan.partCount}.`);
    }
    const planned = plannedPartSize(plan, file.size, part.partNumber);
    if (part.size !== planned) {
      throw new Invalid('part_wrong_size', `Part ${part.partNumber} must be ${planned} bytes, not ${part.size}.`);
    }
  }
  const until = Math.min(Math.floor(now.getTime() / 1000) + deps.uploadUrlSeconds, file.uploadUntil ?? Infinity);
  const timing = { now, expiresAt: new Date(until * 1000) };
  const upload = { key: incomingKey(file.ownerId, file.fileId), s3UploadId };
  return Promise.all(parts.map((part) => signPartPut(deps, upload, part, timing)));
}

export interface PartsStorageDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly files: FilesStore;
  readonly drive: DriveDeps;
}

const noLongerOpen = () =>
  new Conflict('upload_not_open', 'Storage no longer holds this upload (completed, given up or expired).');

/** The parts storage holds, so a client resuming sends only the others. */
export async function listUploadParts(
  deps: PartsStorageDeps,
  caller: UploadCaller,
  uploadId: string,
  now = new Date(),
): Promise<StoredPart[]> {
  const file = await multipartUploadOf(deps, caller, uploadId);
  assertOpen(file, now);
  const parts = await listStoredParts(targetOf(deps, file), file.multipart.s3UploadId);
  if (!parts) throw noLongerOpen();
  return parts;
}

/** The parts of the plan as storage holds them; refused (409, nothing completed) when one is missing or not its planned size. */
function partsOfPlan(file: MultipartRecord, stored: readonly StoredPart[]): StoredPart[] {
  const byNumber = new Map(stored.map((part) => [part.partNumber, part]));
  const { partCount } = file.multipart;
  const missing: number[] = [];
  for (let partNumber = 1; partNumber <= partCount; partNumber++)
    if (!byNumber.has(partNumber)) missing.push(partNumber);
  if (missing.length > 0) {
    const named = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ` and ${missing.length - 10} more` : '');
    throw new Conflict(
      'parts_missing',
      `${missing.length} of ${partCount} parts are not in storage yet (${named}): send them, then complete again.`,
    );
  }
  const inPlan = [...Array(partCount).keys()].map((index) => byNumber.get(index + 1) as StoredPart);
  for (const part of inPlan) {
    const planned = plannedPartSize(file.multipart, file.size, part.partNumber);
    if (part.size !== planned) {
      throw new Conflict(
        'part_wrong_size',
        `Part ${part.partNumber} holds ${part.size} bytes where the plan needs ${planned}: send it again, then complete.`,
      );
    }
  }
  return inPlan;
}

export interface CompleteDeps extends PartsStorageDeps {
  readonly audit: AuditLog;
}

/**
 * Completes the upload with the parts storage holds (the client sends nothing to trust), then
 * records it completed and confirmed. Completing again answers the current state. When S3 no
 * longer knows the upload, its object tells a complete that won (recorded now if it was not)
 * from an abort or an expiry that did.
 */
export async function completeUpload(
  deps: CompleteDeps,
  origin: AuditOrigin,
  caller: UploadCaller,
  uploadId: string,
  now = new Date(),
): Promise<FileRecord> {
  const file = await multipartUploadOf(deps, caller, uploadId);
  if (file.completedAt || file.status !== 'pending') return file;
  assertOpen(file, now);
  const target = targetOf(deps, file);
  const stored = await listStoredParts(target, file.multipart.s3UploadId);
  const parts = stored && partsOfPlan(file, stored);
  const expected = parts && compositeSha256Of(parts);
  if (expected) await notePartsSha256(deps.files, file.ownerId, file.fileId, expected);
  const completed = parts && (await completeMultipartUpload(target, file.multipart.s3UploadId, parts));
  if (!completed || completed === 'gone') {
    if (!(await objectExists(deps, target.key))) {
      const current = await getFile(deps.files, file.ownerId, file.fileId);
      if (!current) throw notFound();
      if (current.completedAt || current.status !== 'pending') return current;
      throw noLongerOpen();
    }
  }
  const answered = completed && completed !== 'gone' ? completed.partsSha256 : undefined;
  // S3's answer prevails; it can differ from the one noted only if S3 changed how it composes them.
  const differing = answered !== undefined && answered !== expected ? answered : undefined;
  if (differing) logger.error('S3 answered another composite checksum than its parts make', { uploadId });
  if (await markCompleted(deps.files, file.ownerId, file.fileId, now, differing)) {
    await recordAudit(deps.audit, origin, {
      ownerId: file.ownerId,
      action: 'upload.complete',
      objectId: file.fileId,
      outcome: 'completed',
    });
  }
  return (await getFile(deps.files, file.ownerId, file.fileId)) ?? file;
}
