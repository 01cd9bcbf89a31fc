import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FileRecord } from '#domain/drive/file-records';
import type { Verdict } from '#domain/validation/content-check';

/** The SHA-256 (base64) of a stored object, streamed once: constant memory whatever its size. */
export async function streamedSha256(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of (object.Body ?? []) as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('base64');
}

/**
 * S3 checks each part of a multipart upload against its SHA-256 and the parts' composite, but
 * not the whole file's: a whole-file SHA-256 its client declared is checked here, by reading
 * the object once. A single PUT needs nothing more (S3 checked its SHA-256 on arrival).
 */
export async function checkDeclaredDigest(
  s3: S3Client,
  bucket: string,
  key: string,
  file: Pick<FileRecord, 'multipart' | 'sha256'>,
  /** The whole object, when the caller holds it already (a PDF read for its check): hashed instead of read again. */
  whole?: () => Promise<Uint8Array>,
): Promise<Verdict> {
  if (!declaresDigest(file)) return { ok: true };
  const actual = whole
    ? createHash('sha256')
        .update(await whole())
        .digest('base64')
    : await streamedSha256(s3, bucket, key);
  if (actual === file.sha256) return { ok: true };
  return { ok: false, code: 'checksum_mismatch', reason: "the file's SHA-256 is not the one declared" };
}

/** Whether the validator must check a whole-file digest: one declared for a multipart upload. */
const declaresDigest = (file: Pick<FileRecord, 'multipart' | 'sha256'>): boolean =>
  Boolean(file.multipart && file.sha256);
