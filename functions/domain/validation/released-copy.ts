import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { logger } from '#commons/logger';
import { MiB, s3Limits } from '#contracts/limits';

/** How the validator copies an upload to where downloads are signed for. */
export interface CopyPlan {
  /** The largest object one CopyObject copies (S3's own limit, 5 GiB); a larger one is copied in parts. */
  readonly singleCopyMaxBytes: number;
  /** Each part of a multipart copy, unless a larger one is needed to stay within 10,000 parts. */
  readonly partBytes: number;
  /** Parts copied at once: each is an S3-side copy, so this bounds requests, not memory. */
  readonly partsInFlight: number;
}

/**
 * 512 MiB parts: a 5 GiB object is 10 requests, and 10,000 of them reach 5 TiB before the part
 * size has to grow. Eight at a time keeps well within S3's request rates for one prefix.
 */
export const s3CopyPlan: CopyPlan = {
  singleCopyMaxBytes: s3Limits.maxPutBytes,
  partBytes: 512 * MiB,
  partsInFlight: 8,
};

export interface CopyRequest {
  readonly bucket: string;
  readonly source: string;
  readonly target: string;
  readonly size: number;
  /** Set on the copy made in parts (a single CopyObject keeps the source's, as uploaded and checked). */
  readonly contentType: string;
}

/** Copies an object inside the bucket, S3-side: in one CopyObject up to its limit, in parts above it. */
export async function copyWithinBucket(s3: S3Client, request: CopyRequest, plan: CopyPlan = s3CopyPlan): Promise<void> {
  const { bucket, source, target } = request;
  if (request.size <= plan.singleCopyMaxBytes) {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: target,
        CopySource: `${bucket}/${source}`,
        MetadataDirective: 'COPY',
      }),
    );
    return;
  }
  await copyInParts(s3, request, plan);
}

/** The byte ranges (inclusive, as `x-amz-copy-source-range` takes them) of a copy in parts: 10,000 at most. */
export function copyRanges(size: number, plan: Pick<CopyPlan, 'partBytes'>): { first: number; last: number }[] {
  const partSize = Math.max(plan.partBytes, Math.ceil(size / s3Limits.maxParts / MiB) * MiB);
  return Array.from({ length: Math.ceil(size / partSize) }, (_, index) => ({
    first: index * partSize,
    last: Math.min(size, (index + 1) * partSize) - 1,
  }));
}

async function copyInParts(s3: S3Client, request: CopyRequest, plan: CopyPlan): Promise<void> {
  const { bucket, source, target, size } = request;
  const ranges = copyRanges(size, plan);
  const partCount = ranges.length;
  const created = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: bucket, Key: target, ContentType: request.contentType }),
  );
  const uploadId = created.UploadId as string;
  try {
    const etags: string[] = new Array(partCount);
    let next = 0;
    let failed = false;
    const copyParts = async () => {
      for (let index = next++; index < partCount && !failed; index = next++) {
        const { first, last } = ranges[index] as { first: number; last: number };
        const copied = await s3
          .send(
            new UploadPartCopyCommand({
              Bucket: bucket,
              Key: target,
              UploadId: uploadId,
              PartNumber: index + 1,
              CopySource: `${bucket}/${source}`,
              CopySourceRange: `bytes=${first}-${last}`,
            }),
          )
          .catch((error: unknown) => {
            failed = true;
            throw error;
          });
        etags[index] = copied.CopyPartResult?.ETag as string;
      }
    };
    // On a failure the other lanes take no new part, and the copies already on their way are
    // let finish: a part that lands after the abort would otherwise be stored (and billed).
    const lanes = await Promise.allSettled(Array.from({ length: Math.min(plan.partsInFlight, partCount) }, copyParts));
    const refusal = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (refusal) throw refusal.reason;
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: target,
        UploadId: uploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
  } catch (error) {
    // Parts copied so far are stored (and billed) until aborted: give them back, then fail as before.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: target, UploadId: uploadId }))
      .catch((abortError: unknown) => logger.warn('could not abort a failed copy', { error: abortError }));
    throw error;
  }
}
