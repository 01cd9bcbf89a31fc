import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { logger } from '#commons/logger';
import { bucketLayout, fileKey, incomingKey, parseIncomingKey } from '#definitions/bucket';
import { limits } from '#definitions/limits';
import { checkContent, type Verdict } from './content-check';
import { type FileRecord, type FilesStore, getFile, settleFile } from './file-records';

export interface ValidatorDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly files: FilesStore;
}

export type ValidationOutcome =
  | 'clean'
  | 'rejected'
  /** The key is not one docdrop signs, or its record is gone (deleted, expired): the object is removed. */
  | 'orphan-removed'
  /** Another delivery of the same event got there first. */
  | 'already-settled';

interface Head {
  readonly bytes: Uint8Array;
  readonly totalSize: number;
}

/** Reads the first bytes of an object and learns its full size from the Content-Range, in one request. */
async function readHead(deps: ValidatorDeps, key: string): Promise<Head | undefined> {
  try {
    const response = await deps.s3.send(
      new GetObjectCommand({ Bucket: deps.bucket, Key: key, Range: `bytes=0-${limits.sniffBytes - 1}` }),
    );
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
    return { bytes, totalSize: total === undefined ? bytes.length : Number(total) };
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
}

const isNoSuchKey = (error: unknown): boolean =>
  error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey';

const deleteObject = (deps: ValidatorDeps, key: string) =>
  deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }));

/**
 * Puts the validated bytes where downloads are signed for, tagged as released (the tag the
 * cloud bucket policy requires for reads). Everything is released as uploaded for now; the
 * image pipeline (sharp: metadata stripped, re-encoded, thumbnail) plugs in here for images.
 */
async function releaseAsUploaded(deps: ValidatorDeps, file: FileRecord): Promise<void> {
  const source = incomingKey(file.ownerId, file.fileId);
  const target = fileKey(file.ownerId, file.fileId);
  await deps.s3.send(
    new CopyObjectCommand({
      Bucket: deps.bucket,
      Key: target,
      CopySource: `${deps.bucket}/${source}`,
      MetadataDirective: 'COPY',
    }),
  );
  await deps.s3.send(
    new PutObjectTaggingCommand({
      Bucket: deps.bucket,
      Key: target,
      Tagging: { TagSet: [{ Key: bucketLayout.releaseTag.key, Value: bucketLayout.releaseTag.value }] },
    }),
  );
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
): Promise<{ outcome: ValidationOutcome; file?: FileRecord; verdict?: Verdict }> {
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
  if (file.status !== 'pending') {
    await deleteObject(deps, key);
    return { outcome: 'already-settled', file };
  }
  const head = await readHead(deps, key);
  if (!head) return { outcome: 'already-settled', file };

  const verdict = await checkContent(head.bytes, file, { size: head.totalSize });
  if (verdict.ok) {
    try {
      await releaseAsUploaded(deps, file);
    } catch (error) {
      // Another delivery finished first and removed the incoming object under us.
      if (isNoSuchKey(error)) return { outcome: 'already-settled', file };
      throw error;
    }
  }
  const settled = await settleFile(
    deps.files,
    file.ownerId,
    file.fileId,
    verdict.ok ? { status: 'clean' } : { status: 'rejected', reason: verdict.reason },
    now,
  );
  if (!settled && verdict.ok && !(await getFile(deps.files, file.ownerId, file.fileId))) {
    // The owner deleted the file while it was being checked: do not leave the released copy behind.
    await deleteObject(deps, fileKey(file.ownerId, file.fileId));
  }
  await deleteObject(deps, key);
  if (!settled) return { outcome: 'already-settled', file };
  const outcome = verdict.ok ? 'clean' : 'rejected';
  logger.info('upload validated', { outcome, ...(verdict.ok ? {} : { code: verdict.code, reason: verdict.reason }) });
  return { outcome, file, verdict };
}
