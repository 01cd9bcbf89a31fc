import { Conflict, NotFound } from '#commons/errors';
import { attachmentDisposition } from '#commons/file-names';
import { fileKey, profilePhotoKey, thumbKey } from '#contracts/bucket';
import { isImageType, limits } from '#contracts/limits';
import { type FileRecord, getProfilePointer } from '#domain/drive/file-records';
import type { SigningDeps } from '#domain/uploads/uploads';

export interface SignedRead {
  readonly url: string;
  readonly expiresAt: string;
}

/** The one place reads are signed: a few minutes, for a released key only. */
async function signRead(
  deps: SigningDeps,
  key: string,
  response: { contentType: string; disposition?: string },
  now: Date,
): Promise<SignedRead> {
  const url = await deps.signer.presign({
    method: 'GET',
    bucket: deps.bucket,
    key,
    query: {
      'response-content-type': response.contentType,
      ...(response.disposition ? { 'response-content-disposition': response.disposition } : {}),
    },
    expiresIn: limits.downloadUrlSeconds,
  });
  return { url, expiresAt: new Date(now.getTime() + limits.downloadUrlSeconds * 1000).toISOString() };
}

/**
 * A short-lived GET for a released file, named as it was uploaded. Takes the record the access
 * check already read, so a download costs one read of it, not two.
 */
export async function presignDownload(deps: SigningDeps, file: FileRecord, now = new Date()): Promise<SignedRead> {
  const { ownerId, fileId } = file;
  if (file.status === 'pending') throw new Conflict('not_ready', 'The file is still being checked. Try again shortly.');
  if (file.status === 'rejected')
    throw new Conflict('rejected', `The file was rejected: ${file.reason ?? 'it failed validation'}.`);
  if (file.status === 'expired')
    throw new Conflict('not_sent', 'This file never arrived: its upload URL expired before it was sent.');
  return signRead(
    deps,
    fileKey(ownerId, fileId),
    { contentType: file.contentType, disposition: attachmentDisposition(file.name) },
    now,
  );
}

/** A short-lived GET for a released image's 400x400 WebP preview (the record as the access check read it). Non-images have none. */
export async function presignThumbnail(deps: SigningDeps, file: FileRecord, now = new Date()): Promise<SignedRead> {
  const { ownerId, fileId } = file;
  if (file.status === 'pending' && isImageType(file.contentType)) {
    throw new Conflict('not_ready', 'The image is still being checked. Try again shortly.');
  }
  if (file.status !== 'clean' || !file.thumbnail) throw new NotFound('no_thumbnail', 'This file has no thumbnail.');
  return signRead(deps, thumbKey(ownerId, fileId), { contentType: 'image/webp' }, now);
}

/** A short-lived GET for the owner's current profile picture. */
export async function presignProfilePhoto(deps: SigningDeps, ownerId: string, now = new Date()): Promise<SignedRead> {
  const pointer = await getProfilePointer(deps.files, ownerId);
  if (!pointer) throw new NotFound('no_profile_photo', 'There is no profile photo yet.');
  return signRead(deps, profilePhotoKey(ownerId, pointer.photoFileId), { contentType: 'image/webp' }, now);
}
