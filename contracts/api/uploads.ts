import { limits } from '../limits';
import * as z from '../zod';
import { folderRef, id, mimeType, signedRead, text, timestamp } from './common';
import type { Operation } from './operation';

/** What a client declares before any byte is sent; the presigned URL pins all of it. */
export const uploadRequest = z.strictObject({
  // Any well-formed text is accepted here and made safe by sanitizeFileName; the key never uses it.
  fileName: text.check(z.minLength(1), z.maxLength(1024)),
  contentType: mimeType,
  size: z.number().check(z.int(), z.gte(1, 'empty files are not accepted'), z.lte(limits.maxFileBytesCeiling)),
  sha256: z
    .string()
    .check(z.regex(/^[A-Za-z0-9+/]{43}=$/, 'must be the base64 SHA-256 digest of the file (44 characters)')),
});
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

/** `expired`: signed and never sent before its URL ran out; its link use and bytes were given back. */
export const fileStatus = z.enum(['pending', 'clean', 'rejected', 'expired']);

/** A file's state once its upload is confirmed; `reason` says why a rejected one was refused. */
const confirmation = { status: fileStatus, reason: z.optional(z.string()) };

export const presignOwnerUpload = {
  summary: 'Sign an upload into the caller’s drive (or a folder shared with them to edit).',
  body: ownerUploadRequest,
  responses: { 201: presignedUpload },
  refusals: [403, 404, 413, 415],
} satisfies Operation;

export const presignLinkUpload = {
  summary: 'Sign an upload through the upload link in X-Upload-Token.',
  body: ownerUploadRequest,
  responses: { 201: presignedUpload },
  refusals: [413, 415],
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
  summary: 'Give up an upload not yet sent: its reserved bytes are given back at once.',
  params: uploadParams,
  responses: { 204: null },
  // 409: the file already arrived (or was checked); delete it instead.
  refusals: [403, 404, 409],
} satisfies Operation;

export const abandonLinkUpload = {
  summary: 'Give up an upload not yet sent through this link: its use of the link is given back.',
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
