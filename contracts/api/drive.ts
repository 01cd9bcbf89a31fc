import { scanResult } from '../malware-scan';
import * as z from '../zod';
import { folderRef, id, page, pageQuery, signedRead, text, timestamp } from './common';
import type { Operation } from './operation';
import { compositeSha256, fileStatus, sha256Digest } from './uploads';

const sortAndOrder = z.object({
  sort: z._default(z.enum(['name', 'date', 'size']), 'date'),
  order: z.optional(z.enum(['asc', 'desc'])),
});
export const listOrder = z.pipe(
  sortAndOrder,
  z.transform(({ sort, order }: z.output<typeof sortAndOrder>) => ({
    sort,
    // Without an order: names A to Z, the newest and the largest first (v1 listed newest first).
    order: order ?? (sort === 'name' ? 'asc' : 'desc'),
  })),
);
export type ListOrder = z.output<typeof listOrder>;

/** A page query with its sort and order settled by `listOrder`. */
const ordered = <T extends { sort?: 'name' | 'date' | 'size' | undefined; order?: 'asc' | 'desc' | undefined }>({
  sort,
  order,
  ...rest
}: T) => ({ ...rest, ...listOrder.parse({ sort, order }) });

const fileParams = z.object({ fileId: id });
const folderParams = z.object({ folderId: id });
const folderName = text.check(z.minLength(1), z.maxLength(1024));

/**
 * What a PDF can carry that acts when it is opened; found by parsing it (validation/pdf-active-content.ts).
 * `not_inspected`: it could not be checked (too large, encrypted, unreadable) and was released as it is.
 */
export const activeContentKind = z.enum([
  'javascript',
  'launch_action',
  'open_action',
  'embedded_file',
  'not_inspected',
]);
export type ActiveContentKind = z.output<typeof activeContentKind>;

/** What a caller sees of a file; `width` and `height` for a released image, `linkId` when a client sent it. */
export const fileDescription = z.object({
  fileId: id,
  name: z.string(),
  size: z.number().check(z.int(), z.gte(0)),
  contentType: z.string(),
  status: fileStatus,
  createdAt: timestamp,
  folderId: folderRef,
  linkId: z.optional(id),
  reason: z.optional(z.string()),
  width: z.optional(z.number().check(z.int(), z.gte(1))),
  height: z.optional(z.number().check(z.int(), z.gte(1))),
  /** The whole file's SHA-256 as checked (absent for a multipart upload that declared none). */
  sha256: z.optional(sha256Digest),
  /** A multipart upload: S3's composite checksum of its parts (`<base64>-<parts>`). */
  partsSha256: z.optional(compositeSha256),
  /** The malware scan's result, once one was recorded (absent with docdrop:malwareScan off). */
  scan: z.optional(scanResult),
  /** A PDF released with active content (its link or owner allows it): what it carries. */
  activeContent: z.optional(z.array(activeContentKind)),
});

/** What a caller sees of a folder; `parentId` is `root` at the top level. */
export const folderDescription = z.object({
  folderId: id,
  name: z.string(),
  parentId: folderRef,
  createdAt: timestamp,
});

export const listFiles = {
  summary: 'One folder’s files (the top level without `folder`), newest first unless asked otherwise.',
  query: z.pipe(
    z.strictObject({
      ...pageQuery.shape,
      folder: z._default(folderRef, 'root'),
      sort: z.optional(z.enum(['name', 'date', 'size'])),
      order: z.optional(z.enum(['asc', 'desc'])),
    }),
    z.transform(ordered),
  ),
  responses: { 200: page(fileDescription) },
  refusals: [404],
} satisfies Operation;

export const downloadFile = {
  summary: 'A short-lived download URL of a released file.',
  params: fileParams,
  responses: { 200: signedRead },
  // 409 while the file is pending or once it was rejected.
  refusals: [404, 409],
} satisfies Operation;

export const downloadThumbnail = {
  summary: 'A short-lived URL of an image’s 400x400 thumbnail.',
  params: fileParams,
  responses: { 200: signedRead },
  refusals: [404, 409],
} satisfies Operation;

export const deleteFile = {
  summary: 'Delete a file, its bytes and its thumbnail; its bytes leave the quota. A held file is discarded (audited).',
  params: fileParams,
  responses: { 204: null },
  refusals: [403, 404, 409],
} satisfies Operation;

export const releaseHeldFile = {
  summary:
    'Release a file held because its malware scan could not decide: its owner takes the risk (audited). It is released as any upload, so it answers pending.',
  params: fileParams,
  responses: { 202: fileDescription },
  // 409 `not_held` for a file in any other state; 410 `hold_expired` once the quarantine kept it its days.
  refusals: [404, 409, 410],
} satisfies Operation;

export const updateFile = {
  summary: 'Rename a file and/or move it to another folder (metadata only).',
  params: fileParams,
  body: z
    .strictObject({ name: z.optional(folderName), folderId: z.optional(folderRef) })
    .check(
      z.refine((body) => body.name !== undefined || body.folderId !== undefined, 'give a new name, a folderId or both'),
    ),
  responses: { 200: fileDescription },
  refusals: [403, 404, 409],
} satisfies Operation;

export const listFolders = {
  summary: 'The subfolders of `parent` (the top level without it), by name unless asked otherwise.',
  query: z.pipe(
    z.strictObject({
      ...pageQuery.shape,
      parent: z._default(folderRef, 'root'),
      sort: z._default(z.enum(['name', 'date']), 'name'),
      order: z.optional(z.enum(['asc', 'desc'])),
    }),
    z.transform(ordered),
  ),
  responses: { 200: page(folderDescription) },
  refusals: [404],
} satisfies Operation;

export const createFolder = {
  summary: 'A new folder at the top level or inside `parentId`.',
  body: z.strictObject({ name: folderName, parentId: z._default(folderRef, 'root') }),
  responses: { 201: folderDescription },
  refusals: [403, 404, 409],
} satisfies Operation;

export const updateFolder = {
  summary: 'Rename a folder and/or move it (`parentId`); nothing under it is copied.',
  params: folderParams,
  body: z
    .strictObject({ name: z.optional(folderName), parentId: z.optional(folderRef) })
    .check(
      z.refine((body) => body.name !== undefined || body.parentId !== undefined, 'give a new name, a parentId or both'),
    ),
  responses: { 200: folderDescription },
  refusals: [403, 404, 409],
} satisfies Operation;

export const deleteFolder = {
  summary: 'Delete an empty folder (409 `folder_not_empty` otherwise).',
  params: folderParams,
  responses: { 204: null },
  refusals: [403, 404, 409],
} satisfies Operation;
