import { HeadObjectCommand, type S3Client, NotFound as S3NotFound } from '@aws-sdk/client-s3';
import { Conflict, NotFound } from '#commons/errors';
import { sanitizeFileName } from '#commons/file-names';
import type { UrlSigner } from '#commons/url-signer';
import type { PresignedUpload, UploadRequest } from '#contracts/api/uploads';
import { incomingKey } from '#contracts/bucket';
import {
  type FileRecord,
  type FilesStore,
  getFile,
  markConfirmed,
  type OnConflict,
  putPendingFile,
} from '#domain/drive/file-records';
import { listKeyOfFiles, nameKeyOf, ROOT, sizeKeyOf } from '#domain/drive/names';
import type { UploadPolicy } from '#domain/uploads/upload-policies';

export type { PresignedUpload, UploadRequest };

/** What signing needs: the signer, not an S3 client. */
export interface SigningDeps {
  readonly signer: UrlSigner;
  readonly bucket: string;
  readonly files: FilesStore;
}

export interface StorageDeps {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly files: FilesStore;
}

/** A single PUT's request: its whole-file SHA-256 is what S3 checks the body against. */
export type SinglePutRequest = UploadRequest & { readonly sha256: string };

/** One upload to sign, already checked against its policy by the use case. */
export interface UploadToSign {
  readonly owner: {
    ownerId: string;
    linkId?: string;
    folderId?: string;
    onConflict?: OnConflict;
    viaShare?: { shareId: string; granteeId: string };
  };
  readonly request: SinglePutRequest;
  /** Chosen by the use case when something (a quota reservation) is keyed by it before the record exists. */
  readonly fileId: string;
  readonly now: Date;
  /** When the signed URL stops working (see `urlExpiryOf`). */
  readonly urlExpiresAt: Date;
  readonly purpose?: 'profile-photo';
}

/** When an upload's URL signed now stops working: `urlSeconds` at most, never past the policy's own end (a link's expiry). */
export function urlExpiryOf(policy: UploadPolicy, now: Date, urlSeconds: number): Date {
  const seconds = Math.max(
    1,
    Math.min(urlSeconds, policy.notAfter ? Math.floor((policy.notAfter.getTime() - now.getTime()) / 1000) : Infinity),
  );
  // Whole seconds, as the link keeps it: a retry re-signed later answers the very same expiry.
  return new Date(Math.floor(now.getTime() / 1000 + seconds) * 1000);
}

/** What a signed PUT pins, for an upload whose record exists: key, type, length and SHA-256. */
export interface SignedPut {
  readonly ownerId: string;
  readonly fileId: string;
  readonly request: Pick<SinglePutRequest, 'contentType' | 'size' | 'sha256'>;
  readonly now: Date;
  readonly urlExpiresAt: Date;
}

/**
 * Signs a PUT that S3 accepts only with exactly this key, type, length and SHA-256, and only
 * if nothing is there yet. Also re-signs a retried upload for the time its URL has left.
 */
export async function signUploadPut(
  deps: Pick<SigningDeps, 'signer' | 'bucket'>,
  { ownerId, fileId, request, now, urlExpiresAt }: SignedPut,
): Promise<PresignedUpload> {
  const expiresIn = Math.max(1, Math.floor((urlExpiresAt.getTime() - now.getTime()) / 1000));
  const headers = {
    'content-type': request.contentType,
    'content-length': String(request.size),
    'x-amz-checksum-sha256': request.sha256,
    'if-none-match': '*' as const,
  };
  // Signed as headers, not query parameters: the PUT must carry each of them, and S3 refuses
  // the request if any differs from what was signed.
  const url = await deps.signer.presign({
    method: 'PUT',
    bucket: deps.bucket,
    key: incomingKey(ownerId, fileId),
    headers,
    unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'if-none-match']),
    expiresIn,
  });
  return { uploadId: fileId, method: 'PUT', url, headers, expiresAt: urlExpiresAt.toISOString() };
}

/** An upload to record as pending: a single PUT's, or a multipart one's with its S3 upload and plan. */
export interface UploadToRecord extends Omit<UploadToSign, 'request'> {
  readonly request: UploadRequest;
  readonly multipart?: FileRecord['multipart'];
}

/** Records a pending file, listed in its folder from the start under the name asked for. */
export async function recordPendingUpload(
  files: FilesStore,
  { owner, request, fileId, now, urlExpiresAt, purpose, multipart }: UploadToRecord,
): Promise<void> {
  const name = sanitizeFileName(request.fileName);
  // The name is settled (claimed, or numbered) when the validator releases it: see validation/release.ts.
  const folderId = owner.folderId ?? ROOT;
  const listing = purpose
    ? {}
    : {
        folderId,
        listKey: listKeyOfFiles(owner.ownerId, folderId),
        nameKey: nameKeyOf(name),
        sizeKey: sizeKeyOf(request.size),
        onConflict: owner.onConflict ?? 'keep-both',
      };
  await putPendingFile(
    files,
    {
      ownerId: owner.ownerId,
      fileId,
      name,
      contentType: request.contentType,
      size: request.size,
      ...(request.sha256 ? { sha256: request.sha256 } : {}),
      createdAt: now.toISOString(),
      ...(owner.linkId ? { linkId: owner.linkId } : {}),
      ...(owner.viaShare ? { viaShare: owner.viaShare } : {}),
      ...(purpose ? { purpose } : {}),
      ...(multipart ? { multipart } : {}),
      ...listing,
    },
    now,
    urlExpiresAt,
  );
}

/** Records a pending file and signs its PUT (see `signUploadPut`). */
export async function presignUpload(deps: SigningDeps, upload: UploadToSign): Promise<PresignedUpload> {
  await recordPendingUpload(deps.files, upload);
  const { owner, fileId, request, now, urlExpiresAt } = upload;
  return signUploadPut(deps, { ownerId: owner.ownerId, fileId, request, now, urlExpiresAt });
}

/** When an object arrived (its LastModified), or undefined when nothing is there. */
export async function arrivedAt(deps: Pick<StorageDeps, 's3' | 'bucket'>, key: string): Promise<Date | undefined> {
  try {
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: deps.bucket, Key: key }));
    return head.LastModified ?? new Date(0);
  } catch (error) {
    if (error instanceof S3NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
    throw error;
  }
}

export const objectExists = async (deps: StorageDeps, key: string): Promise<boolean> =>
  (await arrivedAt(deps, key)) !== undefined;

/**
 * The client says its PUT is done. Whether the validator has run yet or not, the answer is
 * the file's current status; confirming twice changes nothing.
 */
/** Asking the validator to run on an upload that arrived and lost its event (see commons/validation-requests.ts). */
export interface Revalidation {
  readonly requestValidation: (key: string) => Promise<void>;
  /** An object in storage this long and still pending lost its event (`LOST_EVENT_SECONDS`). */
  readonly lostEventAfterMs: number;
}

export async function confirmUpload(
  deps: StorageDeps & Revalidation,
  owner: { ownerId: string; linkId?: string },
  uploadId: string,
  now = new Date(),
): Promise<FileRecord> {
  const file = await getFile(deps.files, owner.ownerId, uploadId);
  if (!file || (owner.linkId !== undefined && file.linkId !== owner.linkId)) {
    throw new NotFound('upload_not_found', 'No such upload.');
  }
  const key = incomingKey(file.ownerId, file.fileId);
  const arrived = file.status === 'pending' ? await arrivedAt(deps, key) : undefined;
  if (arrived && now.getTime() - arrived.getTime() >= deps.lostEventAfterMs) {
    // Arrived a while ago and still pending: its event was lost or failed. The answer is still
    // `pending`; the validator settles it shortly (every step of it is safe to repeat).
    await deps.requestValidation(key);
  }
  if (file.status === 'pending' && !arrived) {
    // Not in the incoming area: never sent, or the validator settled it and removed it
    // between our two reads (it deletes the incoming object only after recording the outcome).
    const current = await getFile(deps.files, file.ownerId, file.fileId);
    if (!current) throw new NotFound('upload_not_found', 'No such upload.');
    if (current.status === 'pending') {
      throw new Conflict('not_uploaded', 'The file has not arrived in storage yet. Send it with the signed PUT first.');
    }
  }
  await markConfirmed(deps.files, file.ownerId, file.fileId, now);
  return (await getFile(deps.files, file.ownerId, file.fileId)) ?? file;
}
