import { limits, SUPPORTED_TYPES } from '../limits';
import * as z from '../zod';
import { pdfActiveContentPolicy } from './account';
import { id, mimeType, page, pageQuery, text, timestamp } from './common';
import type { Operation } from './operation';

const supported: readonly string[] = SUPPORTED_TYPES;

/**
 * A new upload link. Its size limit can be at most the operator's per-file limit
 * (`MAX_FILE_BYTES`), which the handler passes in; the API description shows the ceiling.
 */
export const linkRequest = (maxFileBytes: number) =>
  z.strictObject({
    label: text.check(z.trim(), z.minLength(1), z.maxLength(limits.link.labelMaxChars)),
    expiresInHours: z._default(
      z.number().check(z.int(), z.gte(limits.link.expiresInHours.min), z.lte(limits.link.expiresInHours.max)),
      limits.link.expiresInHours.default,
    ),
    maxUploads: z._default(
      z.number().check(z.int(), z.gte(limits.link.maxUploads.min), z.lte(limits.link.maxUploads.max)),
      limits.link.maxUploads.default,
    ),
    maxBytes: z._default(
      z.number().check(z.int(), z.gte(1), z.lte(maxFileBytes)),
      Math.min(limits.link.defaultMaxBytes, maxFileBytes),
    ),
    allowedTypes: z._default(
      z.pipe(
        z
          .array(
            mimeType.check(
              z.refine((type) => supported.includes(type), { message: `must be one of ${supported.join(', ')}` }),
            ),
          )
          .check(z.minLength(1), z.maxLength(supported.length * 2)),
        z.transform((types: string[]) => [...new Set(types)]),
      ),
      limits.link.defaultAllowedTypes,
    ),
    /** What a PDF with active content sent through this link does; without it, the owner's setting applies. */
    pdfActiveContent: z.optional(pdfActiveContentPolicy),
  });

const count = z.number().check(z.int(), z.gte(0));
const limitsOfLink = {
  maxBytes: z.number().check(z.int(), z.gte(1)),
  allowedTypes: z.array(z.string()),
  expiresAt: timestamp,
};

export const createLink = {
  summary: 'Create an upload link for a client; the token is shown once.',
  body: linkRequest(limits.maxFileBytes),
  responses: {
    201: z.object({
      linkId: id,
      label: z.string(),
      /** Shown this once: only its hash is kept. */
      token: z.string(),
      /** The drop page with the token in the fragment, which browsers never send to a server. */
      url: z.url(),
      maxUploads: count,
      ...limitsOfLink,
    }),
  },
} satisfies Operation;

export const linkState = z.enum(['active', 'expired', 'revoked', 'used-up']);

/** What an owner sees of a link: never the token or its hash. */
export const linkForOwner = z.object({
  linkId: id,
  label: z.string(),
  createdAt: timestamp,
  maxUploads: count,
  /** Uses spent by files that arrived plus uses held by uploads in flight. */
  usesTaken: count,
  /** Of `usesTaken`, those held by uploads signed and not yet arrived: given back if never sent. */
  usesInFlight: count,
  uploadsLeft: count,
  revoked: z.boolean(),
  state: linkState,
  /** Set when the link chose its own; otherwise the owner's setting applies. */
  pdfActiveContent: z.optional(pdfActiveContentPolicy),
  ...limitsOfLink,
});

export const listLinks = {
  summary: "The caller's upload links, newest first.",
  query: pageQuery,
  responses: { 200: page(linkForOwner) },
} satisfies Operation;

export const revokeLink = {
  summary: 'Revoke an upload link at once.',
  params: z.object({ linkId: id }),
  responses: { 204: null },
  refusals: [404],
} satisfies Operation;

export const describeLink = {
  summary: 'What the upload link in X-Upload-Token accepts, for the drop page.',
  responses: { 200: z.object({ label: z.string(), uploadsLeft: count, ...limitsOfLink }) },
} satisfies Operation;
