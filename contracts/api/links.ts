import * as z from 'zod';
import { limits, SUPPORTED_TYPES } from '../limits';
import { id, mimeType, page, pageQuery, timestamp } from './common';
import type { Operation } from './operation';

const supported: readonly string[] = SUPPORTED_TYPES;

/**
 * A new upload link. Its size limit can be at most the operator's per-file limit
 * (`MAX_FILE_BYTES`), which the handler passes in; the API description shows the ceiling.
 */
export const linkRequest = (maxFileBytes: number) =>
  z
    .object({
      label: z.string().trim().min(1).max(limits.link.labelMaxChars),
      expiresInHours: z
        .number()
        .int()
        .min(limits.link.expiresInHours.min)
        .max(limits.link.expiresInHours.max)
        .default(limits.link.expiresInHours.default),
      maxUploads: z
        .number()
        .int()
        .min(limits.link.maxUploads.min)
        .max(limits.link.maxUploads.max)
        .default(limits.link.maxUploads.default),
      maxBytes: z.number().int().min(1).max(maxFileBytes).default(Math.min(limits.link.defaultMaxBytes, maxFileBytes)),
      allowedTypes: z
        .array(
          mimeType.refine((type) => supported.includes(type), { message: `must be one of ${supported.join(', ')}` }),
        )
        .min(1)
        .max(supported.length * 2)
        .transform((types) => [...new Set(types)])
        .default(limits.link.defaultAllowedTypes),
    })
    .strict();

const count = z.number().int().min(0);
const limitsOfLink = {
  maxBytes: z.number().int().min(1),
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
  usesTaken: count,
  uploadsLeft: count,
  revoked: z.boolean(),
  state: linkState,
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
