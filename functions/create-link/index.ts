import * as z from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { limits, SUPPORTED_TYPES } from '#contracts/limits';
import { recordAudit } from '#domain/audit/audit-trail';
import { createUploadLink } from '#domain/links/upload-links';
import { mimeType } from '#domain/uploads/uploads';

const config = readConfig('LINKS_TABLE', 'WEB_BASE_URL', 'MAX_FILE_BYTES');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const audit = auditLogFromEnvironment(db);
const supported: readonly string[] = SUPPORTED_TYPES;

const createLinkSchema = z
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
    maxBytes: z
      .number()
      .int()
      .min(1)
      .max(config.MAX_FILE_BYTES)
      .default(Math.min(limits.link.defaultMaxBytes, config.MAX_FILE_BYTES)),
    allowedTypes: z
      .array(mimeType.refine((type) => supported.includes(type), { message: `must be one of ${supported.join(', ')}` }))
      .min(1)
      .max(supported.length * 2)
      .transform((types) => [...new Set(types)])
      .default(limits.link.defaultAllowedTypes),
  })
  .strict();

export const handler = httpHandler(
  { authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }), body: createLinkSchema },
  async ({ body, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    const { link, token } = await createUploadLink(links, ownerId, body);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'link.create',
      objectId: link.linkId,
      outcome: 'created',
    });
    return {
      status: 201,
      body: {
        linkId: link.linkId,
        label: link.label,
        token,
        // The token rides in the fragment, which browsers never send to a server or a log.
        url: `${config.WEB_BASE_URL}/u/#${token}`,
        expiresAt: link.expiresAt,
        maxUploads: link.maxUploads,
        maxBytes: link.maxBytes,
        allowedTypes: link.allowedTypes,
      },
    };
  },
);
