import * as z from '../zod';
import { id, page, pageQuery, timestamp } from './common';
import type { Operation } from './operation';

const bytes = z.number().check(z.int(), z.gte(0));

/**
 * Readiness: 200 only when every dependency answered its check just now; otherwise 503
 * `service_unavailable` with `Retry-After`, its message naming what is down.
 */
export const health = {
  summary: 'Whether the API and what it depends on (the database) answer now; 503 names what does not.',
  responses: {
    200: z.object({ status: z.literal('ok'), dependencies: z.object({ database: z.literal('ok') }) }),
  },
} satisfies Operation;

export const describeApi = {
  summary: 'This API’s own description (OpenAPI 3.1), generated from its contracts.',
  responses: {
    200: z.looseObject({
      openapi: z.literal('3.1.0'),
      info: z.looseObject({ title: z.string(), version: z.string() }),
      paths: z.record(z.string(), z.unknown()),
    }),
  },
} satisfies Operation;

const usage = z.object({ usedBytes: bytes, reservedBytes: bytes, limitBytes: bytes, availableBytes: bytes });

export const getUsage = {
  summary: 'Storage used, reserved by uploads in flight, the quota and what is left.',
  responses: { 200: usage },
} satisfies Operation;

/** Who the token belongs to, for scripts and the CLI: the address as the pool holds it now, not as the token says. */
export const describeMe = {
  summary: 'Who am I: the signed-in user’s id, e-mail address (and whether it is verified) and storage.',
  responses: {
    200: z.object({ userId: id, email: z.string(), emailVerified: z.boolean(), usage }),
  },
} satisfies Operation;

/**
 * How an owner hears of files sent through their links: an e-mail for each file once it is
 * decided (`each`, the default), one digest a day (`daily`), or none (`off`; the activity
 * trail and the operators' topic still have every arrival).
 */
export const noticePreference = z.enum(['each', 'daily', 'off']);
export type NoticePreference = z.output<typeof noticePreference>;

/**
 * What happens to a PDF that carries active content (JavaScript, a launch or open action, an
 * embedded file): `allow` releases it flagged (the list and the notice say what it carries),
 * `refuse` rejects it with that reason. A link may choose its own; otherwise the owner's applies.
 */
export const pdfActiveContentPolicy = z.enum(['allow', 'refuse']);
export type PdfActiveContentPolicy = z.output<typeof pdfActiveContentPolicy>;

/** An owner's settings, with their defaults filled in (an owner who never chose has these). */
export const ownerSettings = z.object({
  notices: noticePreference,
  pdfActiveContent: pdfActiveContentPolicy,
});
export type OwnerSettings = z.output<typeof ownerSettings>;

export const defaultOwnerSettings: OwnerSettings = { notices: 'each', pdfActiveContent: 'allow' };

export const getSettings = {
  summary: 'The caller’s settings: how they hear of arrivals, and what a PDF with active content does.',
  responses: { 200: ownerSettings },
} satisfies Operation;

export const updateSettings = {
  summary: 'Change one or more of the caller’s settings; the answer is all of them.',
  body: z
    .strictObject({ notices: z.optional(noticePreference), pdfActiveContent: z.optional(pdfActiveContentPolicy) })
    .check(
      z.refine(
        (body) => body.notices !== undefined || body.pdfActiveContent !== undefined,
        'give notices, pdfActiveContent or both',
      ),
    ),
  responses: { 200: ownerSettings },
} satisfies Operation;

export const auditAction = z.enum([
  'link.create',
  'link.revoke',
  'upload.presign',
  'upload.confirm',
  'upload.complete',
  'upload.validate',
  'upload.abandon',
  'upload.expire',
  'link.arrival',
  'file.download',
  'file.thumbnail',
  'file.delete',
  'file.rename',
  'file.move',
  'file.replace',
  'folder.create',
  'folder.rename',
  'folder.move',
  'folder.delete',
  'share.create',
  'share.revoke',
  'settings.update',
  /** A malware scan's result recorded on an upload (outcome: the scan's result). */
  'upload.scan',
  /** The owner released a file held because its scan could not decide. */
  'file.release',
  /** The owner discarded a held file. */
  'file.discard',
]);
/** Every action the audit trail records: the domain writes them, the web app puts them in words. */
export type AuditAction = z.output<typeof auditAction>;

export const auditEntry = z.object({
  eventId: id,
  at: timestamp,
  action: auditAction,
  /** `user:<sub>`, `link:<linkId>`, `system:validator` or `system:scanner`; never a token. */
  actor: z.string(),
  objectId: z.string(),
  outcome: z.string(),
  requestId: z.optional(z.string()),
  sourceIp: z.optional(z.string()),
});

export const listAuditTrail = {
  summary: 'The caller’s audit trail, newest first.',
  query: pageQuery,
  responses: { 200: page(auditEntry) },
} satisfies Operation;
