import * as z from '../zod';
import { id, page, pageQuery, timestamp, wellFormed } from './common';
import { fileDescription, folderDescription } from './drive';
import type { Operation } from './operation';

export const shareRole = z.enum(['view', 'edit']);
export type ShareRole = z.output<typeof shareRole>;

/** What the owner sees of one of their shares. */
export const shareDescription = z.object({
  shareId: id,
  targetKind: z.enum(['file', 'folder']),
  targetId: id,
  role: shareRole,
  granteeEmail: z.string(),
  createdAt: timestamp,
});

/** A share as its grantee sees it: the shared file or folder as it is now. */
const sharedThing = { shareId: id, role: shareRole, ownerId: z.string(), sharedAt: timestamp };
export const sharedWithMe = z.discriminatedUnion('kind', [
  z.object({ ...sharedThing, kind: z.literal('file'), file: fileDescription }),
  z.object({ ...sharedThing, kind: z.literal('folder'), folder: folderDescription }),
]);

export const createShare = {
  summary: 'Share one of the caller’s files or folders with another user, found by e-mail.',
  body: z
    .strictObject({
      email: z.email().check(wellFormed, z.maxLength(254)),
      role: shareRole,
      fileId: z.optional(id),
      // The top level is not a folder that can be shared: share its folders or files.
      folderId: z.optional(id.check(z.refine((value) => value !== 'root', 'the top level cannot be shared'))),
    })
    .check(
      z.refine(
        (body) => (body.fileId === undefined) !== (body.folderId === undefined),
        'give exactly one of fileId and folderId',
      ),
    ),
  responses: { 201: shareDescription },
  // 404 also when no user holds that e-mail verified; 409 `email_ambiguous` when two do;
  // 403 when the caller is not the owner.
  refusals: [403, 404, 409],
} satisfies Operation;

export const listShares = {
  summary: 'What the caller shared, newest first, with each thing’s name.',
  query: pageQuery,
  // Shares of things since deleted are left out.
  responses: { 200: page(z.extend(shareDescription, { name: z.string() })) },
} satisfies Operation;

export const revokeShare = {
  summary: 'End a share at once.',
  params: z.object({ shareId: id }),
  responses: { 204: null },
  refusals: [404],
} satisfies Operation;

export const listSharedWithMe = {
  summary: 'What other users shared with the caller, newest first.',
  query: pageQuery,
  responses: { 200: page(sharedWithMe) },
} satisfies Operation;
