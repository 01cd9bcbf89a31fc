import * as z from 'zod';
import { id, pageQuery } from './common';
import type { Operation } from './operation';

export const shareRole = z.enum(['view', 'edit']);
export type ShareRole = z.output<typeof shareRole>;

export const createShare = {
  summary: 'Share one of the caller’s files or folders with another user, found by e-mail.',
  body: z
    .object({
      email: z.email().max(254),
      role: shareRole,
      fileId: id.optional(),
      // The top level is not a folder that can be shared: share its folders or files.
      folderId: id.refine((value) => value !== 'root', 'the top level cannot be shared').optional(),
    })
    .strict()
    .refine(
      (body) => (body.fileId === undefined) !== (body.folderId === undefined),
      'give exactly one of fileId and folderId',
    ),
} satisfies Operation;

export const listShares = {
  summary: 'What the caller shared, newest first, with each thing’s name.',
  query: pageQuery,
} satisfies Operation;

export const revokeShare = {
  summary: 'End a share at once.',
  params: z.object({ shareId: id }),
} satisfies Operation;

export const listSharedWithMe = {
  summary: 'What other users shared with the caller, newest first.',
  query: pageQuery,
} satisfies Operation;
