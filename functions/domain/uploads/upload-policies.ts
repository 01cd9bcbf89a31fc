import { Invalid, TooLarge, UnsupportedType } from '#commons/errors';
import type { OwnerUploadRequest, UploadRequest } from '#contracts/api/uploads';
import { IMAGE_TYPES, isImageType, limits, REFUSED_TYPES } from '#contracts/limits';
import type { UploadLink } from '#domain/links/upload-links';

/** What this upload may be: the link's limits, or the owner defaults. */
export interface UploadPolicy {
  readonly maxBytes: number;
  readonly allowedTypes: readonly string[];
  /** The presigned URL never outlives this (the link's own expiry). */
  readonly notAfter?: Date;
}

/** An owner's own upload: the operator's per-file limit and every supported type. */
export const ownerUploadPolicy = (maxFileBytes: number): UploadPolicy => ({
  maxBytes: maxFileBytes,
  allowedTypes: limits.ownerAllowedTypes,
});

/** A profile photo: an image of at most 5 MB. */
export const profilePhotoPolicy: UploadPolicy = { maxBytes: limits.profilePhotoMaxBytes, allowedTypes: IMAGE_TYPES };

/** Through a link: its own limits, never above the operator's, and no URL outliving the link. */
export function linkUploadPolicy(
  link: Pick<UploadLink, 'maxBytes' | 'allowedTypes' | 'expiresAt'>,
  maxFileBytes: number,
): UploadPolicy {
  return {
    maxBytes: Math.min(link.maxBytes, maxFileBytes),
    allowedTypes: link.allowedTypes,
    notAfter: new Date(link.expiresAt),
  };
}

/**
 * A link's uploads land at the top level of the link owner's drive, numbered if the name is
 * taken: the client chooses neither a folder nor what happens on a conflict.
 */
export function refuseLinkPlacement(request: OwnerUploadRequest): UploadRequest {
  const { folderId, onConflict, ...upload } = request;
  if (folderId !== undefined || onConflict !== undefined) {
    throw new Invalid('invalid_body', 'Invalid body: an upload link chooses neither folder nor onConflict.');
  }
  return upload;
}

/** Refuses, before anything is signed, a file the policy would not accept. */
export function checkAgainstPolicy(request: UploadRequest, policy: UploadPolicy): void {
  const refusal = REFUSED_TYPES[request.contentType];
  if (refusal) throw new UnsupportedType('type_refused', refusal);
  if (!policy.allowedTypes.includes(request.contentType)) {
    throw new UnsupportedType(
      'type_not_allowed',
      `Files of type ${request.contentType} are not accepted here. Allowed: ${policy.allowedTypes.join(', ')}.`,
    );
  }
  if (request.size > policy.maxBytes) {
    throw new TooLarge(
      'file_too_large',
      `The file is ${request.size} bytes; the limit here is ${policy.maxBytes} bytes.`,
    );
  }
  // The validator decodes and rebuilds an image whole in memory.
  if (isImageType(request.contentType) && request.size > limits.maxImageBytes) {
    throw new TooLarge(
      'image_too_large',
      `The image is ${request.size} bytes; images are accepted up to ${limits.maxImageBytes} bytes (they are rebuilt whole to strip their metadata). Send it as a PDF, or smaller.`,
    );
  }
}
