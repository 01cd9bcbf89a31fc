import { limits, multipart, s3Limits } from '../limits';
import * as z from '../zod';
import { folderRef, id, mimeType, signedRead, text, timestamp } from './common';
import type { Operation } from './operation';

/** A SHA-256 digest in base64, as S3's `x-amz-checksum-sha256` carries it. */
export const sha256Digest = z
  .string()
  .check(z.regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a base64 SHA-256 digest (44 characters)'));

/** S3's COMPOSITE checksum of a multipart object: the SHA-256 of its parts' SHA-256 digests, then `-<part count>`. */
export const compositeSha256 = z.string().check(z.regex(/^[A-Za-z0-9+/]{43}=-[1-9][0-9]{0,4}$/));

/**
 * What a client declares before any byte is sent. A single PUT (the default) is pinned to all
 * of it, so it needs the file's SHA-256. With `multipart: true` the file comes in parts, each
 * pinned to its own length and SHA-256; a whole-file `sha256` is then optional (checked by the
 * validator, up to `multipart.wholeFileDigestMaxBytes`).
 */
export const uploadRequest = z
  .strictObject({
    // Any well-formed text is accepted here and made safe by sanitizeFileName; the key never uses it.
    fileName: text.check(z.minLength(1), z.maxLength(1024)),
    contentType: mimeType,
    size: z.number().check(z.int(), z.gte(1, 'empty files are not accepted'), z.lte(limits.maxFileBytesCeiling)),
    sha256: z.optional(sha256Digest),
    multipart: z.optional(z.boolean()),
  })
  .check(
    z.refine((request) => request.multipart === true || request.sha256 !== undefined, {
      message: 'sha256 is required for a single PUT (send multipart: true to upload in parts)',
      path: ['sha256'],
    }),
    z.refine((request) => request.multipart === true || request.size <= s3Limits.maxPutBytes, {
      message: `a single PUT carries at most ${s3Limits.maxPutBytes} bytes: send multipart: true`,
      path: ['size'],
    }),
    z.refine(
      (request) =>
        request.multipart !== true || request.sha256 === undefined || request.size <= multipart.wholeFileDigestMaxBytes,
      {
        message: `a whole-file sha256 is checked only up to ${multipart.wholeFileDigestMaxBytes} bytes: leave it out (each part is checked)`,
        path: ['sha256'],
      },
    ),
  );
export type UploadRequest = z.output<typeof uploadRequest>;

/**
 * The owner route also takes where the file goes and what happens if its name is taken there.
 * The link route takes the same body and refuses both fields with its own message.
 */
const OWNER_ONLY = 'Owner uploads only: an upload link refuses it (400 invalid_body).';
export const ownerUploadRequest = z.extend(uploadRequest, {
  folderId: z.optional(folderRef).check(z.describe(OWNER_ONLY)),
  onConflict: z.optional(z.enum(['keep-both', 'replace'])).check(z.describe(OWNER_ONLY)),
});
export type OwnerUploadRequest = z.output<typeof ownerUploadRequest>;

const uploadParams = z.object({ uploadId: id });

/** A multipart upload's plan (see `planParts`): every part is `partSize` bytes but the last, numbered 1 to `partCount`. */
export const multipartUpload = z.object({
  uploadId: id,
  method: z.literal('MULTIPART'),
  partSize: z.number().check(z.int(), z.gte(s3Limits.minPartBytes), z.lte(s3Limits.maxPartBytes)),
  partCount: z.number().check(z.int(), z.gte(1), z.lte(s3Limits.maxParts)),
  /** Parts are signed, and the upload completed, until then; after it the upload is aborted and what it held given back. */
  expiresAt: timestamp,
});
export type MultipartUpload = z.output<typeof multipartUpload>;

const partNumber = z.number().check(z.int(), z.gte(1), z.lte(s3Limits.maxParts));

/** Parts to sign: each must be in the plan, with the plan's exact size. */
export const partsToSign = z.strictObject({
  parts: z
    .array(
      z.strictObject({
        partNumber,
        size: z.number().check(z.int(), z.gte(1), z.lte(s3Limits.maxPartBytes)),
        sha256: sha256Digest,
      }),
    )
    .check(z.minLength(1), z.maxLength(multipart.signBatchMax)),
});
export type PartsToSign = z.output<typeof partsToSign>;

/** A PUT of one part that S3 accepts only with exactly this length and SHA-256. */
export const signedPart = z.object({
  partNumber,
  url: z.url(),
  headers: z.object({
    'content-length': z.string().check(z.regex(/^[1-9][0-9]*$/)),
    'x-amz-checksum-sha256': sha256Digest,
  }),
  expiresAt: timestamp,
});
export type SignedPart = z.output<typeof signedPart>;

/** A part S3 holds, as ListParts reports it: what a client resuming need not send again. */
export const storedPart = z.object({
  partNumber,
  size: z.number().check(z.int(), z.gte(0)),
  etag: z.string(),
  sha256: sha256Digest,
});
export type StoredPart = z.output<typeof storedPart>;

/** A PUT that S3 accepts only with exactly these headers (type, length, SHA-256, nothing there yet). */
export const presignedUpload = z.object({
  uploadId: id,
  method: z.literal('PUT'),
  url: z.url(),
  headers: z.object({
    'content-type': z.string(),
    'content-length': z.string().check(z.regex(/^[1-9][0-9]*$/)),
    'x-amz-checksum-sha256': z.string(),
    'if-none-match': z.literal('*'),
  }),
  expiresAt: timestamp,
});
export type PresignedUpload = z.output<typeof presignedUpload>;

/**
 * `expired`: signed and never sent before its URL ran out; its link use and bytes were given back.
 * `held`: its type check passed but the malware scan could not decide (failed, unsupported, no
 * access); it waits, not downloadable, for its owner to release or discard it.
 */
export const fileStatus = z.enum(['pending', 'clean', 'rejected', 'expired', 'held']);

/**
 * A file's state once its upload is confirmed; `reason` says why a rejected one was refused.
 * `sha256` is the whole file's digest as checked (by S3 for a single PUT, by the validator for
 * a multipart upload that declared one); `partsSha256` is S3's composite checksum of a
 * multipart upload's parts. A cleaned image is described by its rebuilt bytes instead.
 */
const confirmation = {
  status: fileStatus,
  reason: z.optional(z.string()),
  sha256: z.optional(sha256Digest),
  partsSha256: z.optional(compositeSha256),
};

const signedUpload = z.union([presignedUpload, multipartUpload]);

export const presignOwnerUpload = {
  summary: 'Sign an upload into the caller’s drive (or a folder shared with them to edit): one PUT, or parts.',
  body: ownerUploadRequest,
  responses: { 201: signedUpload },
  refusals: [403, 404, 413, 415],
} satisfies Operation;

export const presignLinkUpload = {
  summary: 'Sign an upload through the upload link in X-Upload-Token: one PUT, or parts.',
  body: ownerUploadRequest,
  responses: { 201: signedUpload },
  // 409 `upload_being_signed`: the same file's first request still holds the use it is recording.
  refusals: [409, 413, 415],
} satisfies Operation;

export const signOwnerUploadParts = {
  summary: 'Sign PUT URLs for parts of a multipart upload, each pinned to its length and SHA-256.',
  params: uploadParams,
  body: partsToSign,
  responses: { 200: z.object({ parts: z.array(signedPart) }) },
  // 409: not a multipart upload, or no longer open (completed, aborted, expired).
  refusals: [403, 404, 409],
} satisfies Operation;

export const signLinkUploadParts = {
  summary: 'Sign PUT URLs for parts of a multipart upload made through this link.',
  params: uploadParams,
  body: partsToSign,
  responses: { 200: z.object({ parts: z.array(signedPart) }) },
  refusals: [404, 409],
} satisfies Operation;

export const listOwnerUploadParts = {
  summary: 'The parts of a multipart upload that storage holds, so a client can resume.',
  params: uploadParams,
  responses: { 200: z.object({ parts: z.array(storedPart) }) },
  refusals: [403, 404, 409],
} satisfies Operation;

export const listLinkUploadParts = {
  summary: 'The parts of a multipart upload made through this link that storage holds.',
  params: uploadParams,
  responses: { 200: z.object({ parts: z.array(storedPart) }) },
  refusals: [404, 409],
} satisfies Operation;

export const completeOwnerUpload = {
  summary: 'Complete a multipart upload with the parts storage holds; answers like confirm.',
  params: uploadParams,
  responses: { 200: z.object({ fileId: id, ...confirmation }) },
  // 409: a part is missing or not its planned size (nothing is completed), or the upload is no longer open.
  refusals: [403, 404, 409],
} satisfies Operation;

export const completeLinkUpload = {
  summary: 'Complete a multipart upload made through this link; answers its state and the receipt.',
  params: uploadParams,
  responses: { 200: z.object({ uploadId: id, ...confirmation }) },
  refusals: [404, 409],
} satisfies Operation;

export const confirmOwnerUpload = {
  summary: 'Say an owner upload was sent; answers its state (pending, clean, rejected or expired).',
  params: uploadParams,
  // A `replace` upload names the file it became a new version of.
  responses: { 200: z.object({ fileId: id, ...confirmation }) },
  // 403 for an upload into a folder the caller may now only view.
  refusals: [403, 404, 409],
} satisfies Operation;

export const confirmLinkUpload = {
  summary: 'Say a link upload was sent; answers its state and the receipt.',
  params: uploadParams,
  responses: { 200: z.object({ uploadId: id, ...confirmation }) },
  refusals: [404, 409],
} satisfies Operation;

export const abandonOwnerUpload = {
  summary: 'Give up an upload not yet sent (a multipart one is aborted): its reserved bytes are given back at once.',
  params: uploadParams,
  responses: { 204: null },
  // 409: the file already arrived (or was checked); delete it instead.
  refusals: [403, 404, 409],
} satisfies Operation;

export const abandonLinkUpload = {
  summary: 'Give up an upload not yet sent through this link (a multipart one is aborted): its use is given back.',
  params: uploadParams,
  responses: { 204: null },
  refusals: [404, 409],
} satisfies Operation;

export const uploadProfilePhoto = {
  summary: 'Sign the upload of a new profile picture (an image of at most 5 MB).',
  body: uploadRequest,
  responses: { 201: presignedUpload },
  refusals: [413, 415],
} satisfies Operation;

export const downloadProfilePhoto = {
  summary: 'A short-lived URL of the current profile picture.',
  responses: { 200: signedRead },
  refusals: [404],
} satisfies Operation;
