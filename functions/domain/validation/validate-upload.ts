import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { logger } from '#commons/logger';
import type { ActiveContentKind } from '#contracts/api/drive';
import { bucketLayout, fileKey, incomingKey, parseIncomingKey, profilePhotoKey, thumbKey } from '#contracts/bucket';
import { type ImageType, isImageType, limits, MiB } from '#contracts/limits';
import {
  type FileRecord,
  type FilesStore,
  getFile,
  pointProfileAt,
  type ReleasedImage,
  settleFile,
} from '#domain/drive/file-records';
import { isLinkRevoked, type LinksStore } from '#domain/links/upload-links';
import type { QuotaStore } from '#domain/quotas/usage-item';
import { type SharesStore, shareStands } from '#domain/sharing/shares';
import { inStorageSince } from '#domain/uploads/uploads';
import { checkContent, type Verdict } from '#domain/validation/content-check';
import {
  checkImageHeader,
  cleanImage,
  type ImageLimits,
  ImageRejected,
  makeProfilePicture,
  THUMBNAIL_SIZE,
} from '#domain/validation/image-pipeline';
import {
  type Hold,
  heldUntil,
  holdFor,
  type MalwareGate,
  malwareGateOff,
  malwareRefusal,
  quarantineUpload,
  readScanTag,
} from '#domain/validation/malware-gate';
import { gatePdf } from '#domain/validation/pdf-gate';
import {
  NoFreeName,
  planRelease,
  type ReleasePlan,
  releaseAsReplacement,
  releaseWithName,
} from '#domain/validation/release';
import { type CopyPlan, copyWithinBucket } from '#domain/validation/released-copy';
import { settleUploadAndQuota } from '#domain/validation/upload-settlement';
import { checkDeclaredDigest } from '#domain/validation/whole-file-digest';

export interface ValidatorDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly files: FilesStore;
  readonly quotas: QuotaStore;
  /** A link upload spends the use it held when it settles; a revoked link's is not released. */
  readonly links: LinksStore;
  /** A sharee's upload is released only while the share it came through still gives `edit`. */
  readonly shares: SharesStore;
  readonly images: ImageLimits;
  /** How long the bucket keeps a replaced version: its bytes count against the quota until then. */
  readonly noncurrentVersionDays: number;
  /** How released copies are made (default `s3CopyPlan`: one CopyObject up to 5 GiB, parts above). */
  readonly copies?: CopyPlan;
  /** The malware gate (default off: the type check alone decides). */
  readonly malware?: MalwareGate;
}

export type ValidationOutcome =
  | 'clean'
  | 'rejected'
  /** The key is not one docdrop signs, or its record is gone (deleted, expired): the object is removed. */
  | 'orphan-removed'
  /** Another delivery of the same event got there first. */
  | 'already-settled'
  /** The scan could not decide: the file waits in quarantine for its owner. */
  | 'held'
  /** The type check passed and no scan result is known yet: the result's event finishes it. */
  | 'awaiting-scan';

interface Head {
  readonly bytes: Uint8Array;
  readonly totalSize: number;
  readonly lastModified: Date;
}

/** Reads the first bytes of an object and learns its full size from the Content-Range, in one request. */
async function readHead(deps: ValidatorDeps, key: string): Promise<Head | undefined> {
  try {
    const response = await deps.s3.send(
      new GetObjectCommand({ Bucket: deps.bucket, Key: key, Range: `bytes=0-${limits.sniffBytes - 1}` }),
    );
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
    return {
      bytes,
      totalSize: total === undefined ? bytes.length : Number(total),
      lastModified: response.LastModified ?? new Date(0),
    };
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
}

const isNoSuchKey = (error: unknown): boolean =>
  error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';

const deleteObject = (deps: ValidatorDeps, key: string) =>
  deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }));

/** The whole upload, for images and PDFs only (each bounded by its own limit); type checks read just the head. */
async function readUpload(deps: ValidatorDeps, file: FileRecord): Promise<Uint8Array> {
  const source = await deps.s3.send(
    new GetObjectCommand({ Bucket: deps.bucket, Key: incomingKey(file.ownerId, file.fileId) }),
  );
  return (await source.Body?.transformToByteArray()) ?? new Uint8Array();
}

const releaseTagging = { TagSet: [{ Key: bucketLayout.releaseTag.key, Value: bucketLayout.releaseTag.value }] };

/** Tags a released object with the tag the cloud bucket policy requires for reads: the last step, after it is complete. */
const tagReleased = (deps: ValidatorDeps, key: string) =>
  deps.s3.send(new PutObjectTaggingCommand({ Bucket: deps.bucket, Key: key, Tagging: releaseTagging }));

/** Non-images: the validated bytes are copied as uploaded (S3-side) to where downloads are signed for. */
async function releaseAsUploaded(deps: ValidatorDeps, file: FileRecord, targetId: string, size: number): Promise<void> {
  const target = fileKey(file.ownerId, targetId);
  const request = { bucket: deps.bucket, source: incomingKey(file.ownerId, file.fileId), target, size };
  await copyWithinBucket(deps.s3, { ...request, contentType: file.contentType }, deps.copies);
  await tagReleased(deps, target);
}

/** Writes a released object and then tags it: the tag the read policy requires comes last. */
async function putReleased(deps: ValidatorDeps, key: string, body: Buffer, contentType: string): Promise<void> {
  await deps.s3.send(new PutObjectCommand({ Bucket: deps.bucket, Key: key, Body: body, ContentType: contentType }));
  await tagReleased(deps, key);
}

const describeReleased = (bytes: Buffer, width: number, height: number): ReleasedImage => ({
  size: bytes.length,
  sha256: createHash('sha256').update(bytes).digest('base64'),
  width,
  height,
});

/**
 * Images: decoded once and re-encoded without metadata (see image-pipeline.ts); the cleaned
 * image replaces the upload and a WebP thumbnail is written beside it. The record then
 * describes the cleaned bytes.
 */
async function releaseCleanedImage(
  deps: ValidatorDeps,
  file: FileRecord,
  type: ImageType,
  targetId: string,
): Promise<ReleasedImage> {
  const cleaned = await cleanImage(await readUpload(deps, file), type, deps.images);
  await Promise.all([
    putReleased(deps, fileKey(file.ownerId, targetId), cleaned.image, type),
    putReleased(deps, thumbKey(file.ownerId, targetId), cleaned.thumbnail, 'image/webp'),
  ]);
  return describeReleased(cleaned.image, cleaned.width, cleaned.height);
}

/** A profile photo upload becomes the owner's 400x400 picture; the upload itself is not kept. */
async function releaseProfilePicture(deps: ValidatorDeps, file: FileRecord): Promise<ReleasedImage> {
  const picture = await makeProfilePicture(await readUpload(deps, file), deps.images);
  await putReleased(deps, profilePhotoKey(file.ownerId, file.fileId), picture, 'image/webp');
  return describeReleased(picture, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
}

interface Judged {
  readonly verdict: Verdict;
  readonly image?: ReleasedImage;
  /** A PDF released with active content (its link or owner allows it): the record's flag. */
  readonly activeContent?: readonly ActiveContentKind[];
}

/**
 * Checks what the content is, then for images decodes and cleans it, and parses a PDF for
 * active content: any refusal becomes a rejection verdict.
 */
async function judgeAndRelease(deps: ValidatorDeps, file: FileRecord, head: Head, targetId: string): Promise<Judged> {
  const verdict = await checkContent(head.bytes, file, { size: head.totalSize });
  if (!verdict.ok) return { verdict };
  const profilePhoto = file.purpose === 'profile-photo';
  // A PDF small enough to inspect is read whole once, for its check and for a declared digest alike.
  let whole: Promise<Uint8Array> | undefined;
  const readWhole = () => {
    whole ??= readUpload(deps, file);
    return whole;
  };
  const inspectsPdf =
    !profilePhoto && file.contentType === 'application/pdf' && head.totalSize <= limits.pdfInspection.maxBytes;
  // After the type check, which is cheap: this one reads the whole object.
  const digest = await checkDeclaredDigest(
    deps.s3,
    deps.bucket,
    incomingKey(file.ownerId, file.fileId),
    file,
    inspectsPdf ? readWhole : undefined,
  );
  if (!digest.ok) return { verdict: digest };
  if (!isImageType(file.contentType)) {
    if (profilePhoto)
      return { verdict: { ok: false, code: 'not_an_image', reason: 'a profile photo must be an image' } };
    const pdf =
      file.contentType === 'application/pdf' ? await gatePdf(deps, file, head.totalSize, readWhole) : undefined;
    if (pdf && !pdf.verdict.ok) return { verdict: pdf.verdict };
    await releaseAsUploaded(deps, file, targetId, head.totalSize);
    return { verdict, ...(pdf?.activeContent ? { activeContent: pdf.activeContent } : {}) };
  }
  // The presign refuses these too; this is the validator's own guard for the memory it has.
  const maxImageBytes = deps.images.maxBytes ?? limits.maxImageBytes;
  if (head.totalSize > maxImageBytes) {
    const reason = `an image larger than ${Math.floor(maxImageBytes / MiB)} MiB cannot be processed; send a smaller one`;
    return { verdict: { ok: false, code: 'image_too_large', reason } };
  }
  try {
    // A small file can claim a huge canvas: refuse it from the header, before downloading it.
    await checkImageHeader(head.bytes, deps.images);
    const image = profilePhoto
      ? await releaseProfilePicture(deps, file)
      : await releaseCleanedImage(deps, file, file.contentType, targetId);
    return { verdict, image };
  } catch (error) {
    if (error instanceof ImageRejected) return { verdict: { ok: false, code: error.code, reason: error.message } };
    throw error;
  }
}

/**
 * Settles a clean drive file under its final name, or as the new version of the file it
 * replaces. Returns whether this delivery settled it, or why it could not be released.
 */
async function settleNamed(
  deps: ValidatorDeps,
  file: FileRecord,
  plan: ReleasePlan,
  image: ReleasedImage | undefined,
  now: Date,
): Promise<boolean | 'refused' | 'replaced-gone' | 'link-revoked' | 'share-revoked'> {
  if (plan.replaces) {
    const replaced = plan.replaces;
    const keepUntil = new Date(now.getTime() + deps.noncurrentVersionDays * 86_400_000);
    const result = await releaseAsReplacement(
      deps.files,
      deps.quotas,
      deps.links,
      file,
      replaced,
      image,
      now,
      keepUntil,
    );
    if (result.outcome === 'replaced-gone') {
      // Deleted while this upload was checked: what was just written under its key goes too.
      await Promise.all([
        deleteObject(deps, fileKey(file.ownerId, replaced.fileId)),
        deleteObject(deps, thumbKey(file.ownerId, replaced.fileId)),
      ]);
      return 'replaced-gone';
    }
    // Link uploads never replace (a link cannot choose a name), so no revoked link reaches here.
    if (result.outcome === 'link-revoked' || result.outcome === 'share-revoked') {
      throw new Error(`replace of ${replaced.fileId}: ${result.outcome}`);
    }
    // A document replacing an image has no preview: the old one must not outlive it.
    if (!image && replaced.thumbnail) await deleteObject(deps, thumbKey(file.ownerId, replaced.fileId));
    return result.outcome === 'replaced';
  }
  try {
    const result = await releaseWithName(
      deps.files,
      deps.quotas,
      deps.links,
      file,
      plan.folderId,
      image,
      now,
      deps.shares,
    );
    if (result.outcome === 'released' && result.name !== file.name) logger.info('released under a numbered name');
    if (result.outcome !== 'link-revoked' && result.outcome !== 'share-revoked') return result.outcome === 'released';
    await removeReleasedCopies(deps, file);
    return result.outcome;
  } catch (error) {
    if (!(error instanceof NoFreeName)) throw error;
    await removeReleasedCopies(deps, file);
    return 'refused';
  }
}

/** What judging wrote under the file's own keys, for a release that did not happen. */
const removeReleasedCopies = (deps: ValidatorDeps, file: FileRecord) =>
  Promise.all([
    deleteObject(deps, fileKey(file.ownerId, file.fileId)),
    deleteObject(deps, thumbKey(file.ownerId, file.fileId)),
  ]);

/** The reason given to a link upload whose link was revoked before it could be released. */
const LINK_REVOKED: Refusal = {
  ok: false,
  code: 'link_revoked',
  reason: 'its upload link was revoked before the file was checked, so it was not released',
};

type Refusal = Extract<Verdict, { ok: false }>;

/** The reason given to a sharee's upload whose share was revoked (or made view-only) before it could be released. */
const SHARE_REVOKED: Refusal = {
  ok: false,
  code: 'share_revoked',
  reason: 'the share it was uploaded through was revoked before the file was checked, so it was not released',
};

/** Why an upload must not be released whatever its content: its link or share was revoked meanwhile. */
async function revokedMeanwhile(deps: ValidatorDeps, file: FileRecord): Promise<Refusal | undefined> {
  if (file.linkId && (await isLinkRevoked(deps.links, file.linkId))) return LINK_REVOKED;
  if (file.viaShare && !(await shareStands(deps.shares, file.viaShare))) return SHARE_REVOKED;
  return undefined;
}

const REFUSED_RELEASES: Record<'refused' | 'replaced-gone' | 'link-revoked' | 'share-revoked', Refusal> = {
  refused: { ok: false, code: 'name_unavailable', reason: 'no free name was left for it in its folder' },
  'replaced-gone': { ok: false, code: 'replaced_deleted', reason: 'the file it was to replace was deleted meanwhile' },
  'link-revoked': LINK_REVOKED,
  'share-revoked': SHARE_REVOKED,
};

/**
 * A PUT that started before its URL expired and took longer than the grace: the upload was
 * given up meanwhile (its bytes and link use given back), so it is rejected, saying why,
 * rather than removed without a word.
 */
async function rejectLateArrival(deps: ValidatorDeps, file: FileRecord, key: string, now: Date) {
  const verdict: Verdict = {
    ok: false,
    code: 'arrived_after_expiry',
    reason: 'it arrived after its upload URL had expired and the upload was given up; send it again',
  };
  const settled = await settleFile(
    deps.files,
    file.ownerId,
    file.fileId,
    { status: 'rejected', reason: verdict.reason },
    now,
    'expired',
  );
  await deleteObject(deps, key);
  if (!settled) return { outcome: 'already-settled' as const, file };
  logger.info('upload validated', { outcome: 'rejected', code: verdict.code });
  return { outcome: 'rejected' as const, file, verdict };
}

/**
 * An upload the scan has not cleared: a threat is rejected (its bytes quarantined); a scan
 * that could not decide holds it for its owner (quarantined); no result yet leaves it pending
 * once the cheap type check passed (a bad type is rejected at once), until `scanMissingAfterMs`.
 */
async function gateBeforeRelease(
  deps: ValidatorDeps,
  gate: MalwareGate,
  file: FileRecord,
  key: string,
  head: Head,
  scanned: Exclude<FileRecord['scan'], 'NO_THREATS_FOUND'>,
  now: Date,
): Promise<{ outcome: ValidationOutcome; file: FileRecord; verdict?: Verdict }> {
  const typeChecked = await checkContent(head.bytes, file, { size: head.totalSize });
  let verdict: Verdict = scanned === 'THREATS_FOUND' ? malwareRefusal(file.scanThreats) : typeChecked;
  let hold: Hold | undefined;
  if (verdict.ok && scanned === undefined) {
    const waited = now.getTime() - inStorageSince(file, head.lastModified).getTime();
    if (waited < gate.scanMissingAfterMs) return { outcome: 'awaiting-scan', file };
    hold = holdFor('scan_missing');
  } else if (verdict.ok && scanned !== undefined && scanned !== 'THREATS_FOUND') hold = holdFor(scanned);
  if (hold) verdict = { ok: false, code: hold.code, reason: hold.reason };
  // A profile photo is not kept for review: one the scan could not decide on is simply not used.
  const held = hold !== undefined && !file.purpose;
  if (held || scanned === 'THREATS_FOUND')
    await quarantineUpload(deps.s3, deps.bucket, file, head.totalSize, deps.copies);
  const reason = (verdict as Extract<Verdict, { ok: false }>).reason;
  const settlement = held
    ? { status: 'held' as const, reason, heldUntil: heldUntil(gate, now) }
    : { status: 'rejected' as const, reason };
  const settled =
    file.purpose === 'profile-photo'
      ? await settleFile(deps.files, file.ownerId, file.fileId, settlement, now)
      : await settleUploadAndQuota(deps.files, deps.quotas, deps.links, file, settlement, now);
  await deleteObject(deps, key);
  if (!settled) return { outcome: 'already-settled', file };
  const code = verdict.ok ? undefined : verdict.code;
  logger.info('upload validated', { outcome: held ? 'held' : 'rejected', code, reason });
  return { outcome: held ? 'held' : 'rejected', file, verdict };
}

/**
 * Decides the fate of one object that arrived in the incoming area. Safe to run any number
 * of times, in any order, before or after the client's confirm: only a pending record moves,
 * and only once; the incoming object is removed at the end whatever the verdict.
 */
export async function validateUpload(
  deps: ValidatorDeps,
  key: string,
  now = new Date(),
): Promise<{ outcome: ValidationOutcome; file?: FileRecord; verdict?: Verdict; replacedFileId?: string }> {
  const ids = parseIncomingKey(key);
  if (!ids) {
    logger.warn('removing an object docdrop never signed for', { key });
    await deleteObject(deps, key);
    return { outcome: 'orphan-removed' };
  }
  logger.appendKeys({ userId: ids.ownerId, fileId: ids.fileId });
  const file = await getFile(deps.files, ids.ownerId, ids.fileId);
  if (!file) {
    logger.warn('removing an upload whose record is gone');
    await deleteObject(deps, key);
    return { outcome: 'orphan-removed' };
  }
  if (file.status === 'expired') return rejectLateArrival(deps, file, key, now);
  if (file.status !== 'pending') {
    await deleteObject(deps, key);
    return { outcome: 'already-settled', file };
  }
  const head = await readHead(deps, key);
  if (!head) return { outcome: 'already-settled', file };
  const gate = deps.malware ?? malwareGateOff;
  // A held file its owner released is judged as any upload, without waiting for a scan.
  if (gate.mode === 'guardduty' && !file.ownerReleased) {
    try {
      const scanned = file.scan ?? (await readScanTag(deps.s3, deps.bucket, key));
      if (scanned !== 'NO_THREATS_FOUND') return await gateBeforeRelease(deps, gate, file, key, head, scanned, now);
    } catch (error) {
      if (isNoSuchKey(error)) return { outcome: 'already-settled', file };
      throw error;
    }
  }

  // Profile photos are not drive files: they have no folder and hold no name.
  const plan = file.purpose ? undefined : await planRelease(deps.files, file);
  const targetId = plan?.replaces?.fileId ?? file.fileId;
  let judged: Judged;
  try {
    // The upload of a revoked link or share is not even judged: nothing is written for it. (A
    // revoke while it is judged is caught by the releasing transaction; for a sharee's replace,
    // whose bytes go to the replaced file's key before that, only by this read.)
    const revoked = await revokedMeanwhile(deps, file);
    judged = revoked ? { verdict: revoked } : await judgeAndRelease(deps, file, head, targetId);
  } catch (error) {
    // Another delivery finished first and removed the incoming object under us.
    if (isNoSuchKey(error)) return { outcome: 'already-settled', file };
    throw error;
  }
  let { verdict } = judged;
  const { image } = judged;
  // What judging found goes into the released record (and back to the caller, for the notice).
  const judgedFile: FileRecord = judged.activeContent ? { ...file, activeContent: judged.activeContent } : file;
  let settled: boolean;
  if (verdict.ok && plan) {
    const released = await settleNamed(deps, judgedFile, plan, image, now);
    if (typeof released === 'string') {
      const refusal = REFUSED_RELEASES[released];
      verdict = refusal;
      settled = await settleUploadAndQuota(
        deps.files,
        deps.quotas,
        deps.links,
        file,
        { status: 'rejected', reason: refusal.reason },
        now,
      );
    } else {
      settled = released;
    }
  } else {
    const settlement = verdict.ok
      ? { status: 'clean' as const, ...(image ? { image } : {}) }
      : { status: 'rejected' as const, reason: verdict.reason };
    // A profile photo is not a document and counts against no quota; every other upload
    // settles together with its reservation.
    settled =
      file.purpose === 'profile-photo'
        ? await settleFile(deps.files, file.ownerId, file.fileId, settlement, now)
        : await settleUploadAndQuota(deps.files, deps.quotas, deps.links, file, settlement, now);
  }
  if (!settled && verdict.ok && !plan?.replaces && !(await getFile(deps.files, file.ownerId, file.fileId))) {
    // The owner deleted the file while it was being checked: do not leave the released copies behind.
    await Promise.all([
      deleteObject(deps, fileKey(file.ownerId, file.fileId)),
      deleteObject(deps, thumbKey(file.ownerId, file.fileId)),
    ]);
  }
  await deleteObject(deps, key);
  if (!settled) return { outcome: 'already-settled', file };
  if (verdict.ok && file.purpose === 'profile-photo') await pointProfileAt(deps.files, file.ownerId, file.fileId);
  const outcome = verdict.ok ? 'clean' : 'rejected';
  logger.info('upload validated', { outcome, ...(verdict.ok ? {} : { code: verdict.code, reason: verdict.reason }) });
  // A replace: the upload became a new version of this file.
  const replacedFileId = verdict.ok ? plan?.replaces?.fileId : undefined;
  return { outcome, file: judgedFile, verdict, ...(replacedFileId ? { replacedFileId } : {}) };
}
