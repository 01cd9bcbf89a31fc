import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { UrlSigner } from '#commons/url-signer';
import type { SignedPart, StoredPart } from '#contracts/api/uploads';
import { incomingKey } from '#contracts/bucket';
import { s3Limits } from '#contracts/limits';
import type { FileRecord } from '#domain/drive/file-records';
import { objectExists, type StorageDeps } from '#domain/uploads/uploads';

/** The S3 side of a multipart upload: the bucket, and the key the server chose. */
export interface MultipartTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
}

/** Opens a multipart upload whose every part must carry a SHA-256 (S3 then keeps their COMPOSITE checksum). */
export async function createMultipartUpload(target: MultipartTarget, contentType: string): Promise<string> {
  const { UploadId } = await target.s3.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
    }),
  );
  if (!UploadId) throw new Error('CreateMultipartUpload answered no UploadId');
  return UploadId;
}

const isNoSuchUpload = (error: unknown): boolean => (error as { name?: string }).name === 'NoSuchUpload';

/**
 * Aborts the upload: its parts are deleted and no complete can succeed after it. False when S3
 * no longer knows it (aborted already, or completed: the caller tells which by a HEAD).
 */
export async function abortMultipartUpload(target: MultipartTarget, s3UploadId: string): Promise<boolean> {
  try {
    await target.s3.send(
      new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId: s3UploadId }),
    );
    return true;
  } catch (error) {
    if (isNoSuchUpload(error)) return false;
    throw error;
  }
}

/**
 * The parts S3 holds, every page of them; undefined when S3 no longer knows the upload. A part
 * without a SHA-256 was not sent through a URL of ours (S3 requires one on every part of an
 * upload created with SHA256): it is left out, so a client sends it again.
 */
export async function listStoredParts(target: MultipartTarget, s3UploadId: string): Promise<StoredPart[] | undefined> {
  const parts: StoredPart[] = [];
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await target.s3.send(
        new ListPartsCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId: s3UploadId,
          MaxParts: s3Limits.listPartsPage,
          ...(marker ? { PartNumberMarker: marker } : {}),
        }),
      );
      for (const part of page.Parts ?? []) {
        if (part.PartNumber === undefined || part.ETag === undefined || !part.ChecksumSHA256) continue;
        parts.push({ partNumber: part.PartNumber, size: part.Size ?? 0, etag: part.ETag, sha256: part.ChecksumSHA256 });
      }
      if (!page.IsTruncated || !page.NextPartNumberMarker) return parts;
      marker = page.NextPartNumberMarker;
    }
  } catch (error) {
    if (isNoSuchUpload(error)) return undefined;
    throw error;
  }
}

/**
 * Completes the upload with exactly these parts (as S3 listed them) and only if nothing is at
 * the key yet. Answers S3's composite checksum, or `gone` when S3 no longer knows the upload
 * (or the object is there already).
 */
export async function completeMultipartUpload(
  target: MultipartTarget,
  s3UploadId: string,
  parts: readonly StoredPart[],
): Promise<{ partsSha256?: string } | 'gone'> {
  try {
    const answer = await target.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId: s3UploadId,
        IfNoneMatch: '*',
        MultipartUpload: {
          Parts: parts.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag, ChecksumSHA256: part.sha256 })),
        },
      }),
    );
    return answer.ChecksumSHA256 ? { partsSha256: answer.ChecksumSHA256 } : {};
  } catch (error) {
    // Something is at the key already: only this upload's own completion can have put it there.
    if (isNoSuchUpload(error) || (error as { name?: string }).name === 'PreconditionFailed') return 'gone';
    throw error;
  }
}

/** S3's COMPOSITE checksum of an object made of these parts: the SHA-256 of their SHA-256 digests, then `-<parts>`. */
export function compositeSha256Of(parts: readonly Pick<StoredPart, 'sha256'>[]): string {
  const outer = createHash('sha256');
  for (const part of parts) outer.update(Buffer.from(part.sha256, 'base64'));
  return `${outer.digest('base64')}-${parts.length}`;
}

/** One part to sign: its number, and the exact length and SHA-256 S3 is to accept. */
export interface PartToSign {
  readonly partNumber: number;
  readonly size: number;
  readonly sha256: string;
}

/**
 * Signs an UploadPart that S3 accepts only for this upload and part number (signed query) with
 * exactly this length and SHA-256 (signed headers, kept as headers: the PUT must carry them).
 */
export async function signPartPut(
  deps: { readonly signer: UrlSigner; readonly bucket: string },
  upload: { readonly key: string; readonly s3UploadId: string },
  part: PartToSign,
  timing: { readonly now: Date; readonly expiresAt: Date },
): Promise<SignedPart> {
  const headers = { 'content-length': String(part.size), 'x-amz-checksum-sha256': part.sha256 };
  const url = await deps.signer.presign({
    method: 'PUT',
    bucket: deps.bucket,
    key: upload.key,
    headers,
    unhoistableHeaders: new Set(['x-amz-checksum-sha256']),
    query: { partNumber: String(part.partNumber), uploadId: upload.s3UploadId },
    expiresIn: Math.max(1, Math.floor((timing.expiresAt.getTime() - timing.now.getTime()) / 1000)),
  });
  return { partNumber: part.partNumber, url, headers, expiresAt: timing.expiresAt.toISOString() };
}

/**
 * Whether an upload's bytes have not arrived, and now cannot. A multipart upload is aborted
 * first, so no complete can follow; if S3 no longer knows it, a complete that won the race left
 * its object (a HEAD tells), or an abort or the sweep took it. Abandon and the sweep both ask.
 */
export async function closeUnarrived(storage: StorageDeps, file: FileRecord): Promise<boolean> {
  const key = incomingKey(file.ownerId, file.fileId);
  if (!file.multipart) return !(await objectExists(storage, key));
  if (file.completedAt) return false;
  if (await abortMultipartUpload({ ...storage, key }, file.multipart.s3UploadId)) return true;
  return !(await objectExists(storage, key));
}
