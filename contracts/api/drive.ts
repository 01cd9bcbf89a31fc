import * as z from 'zod';
import { folderRef, id, pageQuery } from './common';
import type { Operation } from './operation';

export const listOrder = z
  .object({
    sort: z.enum(['name', 'date', 'size']).default('date'),
    order: z.enum(['asc', 'desc']).optional(),
  })
  .transform(({ sort, order }) => ({
    sort,
    // Without an order: names A to Z, the newest and the largest first (v1 listed newest first).
    order: order ?? (sort === 'name' ? 'asc' : 'desc'),
  }));
export type ListOrder = z.output<typeof listOrder>;

/** A page query with its sort and order settled by `listOrder`. */
const ordered = <T extends { sort?: 'name' | 'date' | 'size' | undefined; order?: 'asc' | 'desc' | undefined }>({
  sort,
  order,
  ...rest
}: T) => ({ ...rest, ...listOrder.parse({ sort, order }) });

const fileParams = z.object({ fileId: id });
const folderParams = z.object({ folderId: id });
const folderName = z.string().min(1).max(1024);

export const listFiles = {
  summary: 'One folder’s files (the top level without `folder`), newest first unless asked otherwise.',
  query: z
    .object({
      ...pageQuery.shape,
      folder: folderRef.default('root'),
      sort: z.enum(['name', 'date', 'size']).optional(),
      order: z.enum(['asc', 'desc']).optional(),
    })
    .strict()
    .transform(ordered),
} satisfies Operation;

export const downloadFile = {
  summary: 'A short-lived download URL of a released file.',
  params: fileParams,
} satisfies Operation;

export const downloadThumbnail = {
  summary: 'A short-lived URL of an image’s 400x400 thumbnail.',
  params: fileParams,
} satisfies Operation;

export const deleteFile = {
  summary: 'Delete a file, its bytes and its thumbnail; its bytes leave the quota.',
  params: fileParams,
} satisfies Operation;

export const updateFile = {
  summary: 'Rename a file and/or move it to another folder (metadata only).',
  params: fileParams,
  body: z
    .object({ name: folderName.optional(), folderId: folderRef.optional() })
    .strict()
    .refine((body) => body.name !== undefined || body.folderId !== undefined, 'give a new name, a folderId or both'),
} satisfies Operation;

export const listFolders = {
  summary: 'The subfolders of `parent` (the top level without it), by name unless asked otherwise.',
  query: z
    .object({
      ...pageQuery.shape,
      parent: folderRef.default('root'),
      sort: z.enum(['name', 'date']).default('name'),
      order: z.enum(['asc', 'desc']).optional(),
    })
    .strict()
    .transform(ordered),
} satisfies Operation;

export const createFolder = {
  summary: 'A new folder at the top level or inside `parentId`.',
  body: z.object({ name: folderName, parentId: folderRef.default('root') }).strict(),
} satisfies Operation;

export const updateFolder = {
  summary: 'Rename a folder and/or move it (`parentId`); nothing under it is copied.',
  params: folderParams,
  body: z
    .object({ name: folderName.optional(), parentId: folderRef.optional() })
    .strict()
    .refine((body) => body.name !== undefined || body.parentId !== undefined, 'give a new name, a parentId or both'),
} satisfies Operation;

export const deleteFolder = {
  summary: 'Delete an empty folder (409 `folder_not_empty` otherwise).',
  params: folderParams,
} satisfies Operation;
