import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { actorOf, type Caller, httpHandler, linkOf, spaceOwnerOf } from '#commons/http';
import { logger } from '#commons/logger';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { limits } from '#definitions/limits';
import { recordAudit } from '#domain/audit';
import { authenticateLinkToken, consumeLinkUse, refundLinkUse } from '#domain/upload-links';
import {
  checkAgainstPolicy,
  type PresignedUpload,
  presignUpload,
  type UploadRequest,
  uploadRequestSchema,
} from '#domain/uploads';

const config = readConfig('LINKS_TABLE', 'AUDIT_TABLE', 'MAX_FILE_BYTES');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const storage = storageFromEnvironment(db);
const ownerPolicy = { maxBytes: config.MAX_FILE_BYTES, allowedTypes: limits.ownerAllowedTypes };

/** Owner upload: the owner's defaults; no link involved. */
function presignForOwner(ownerId: string, request: UploadRequest): Promise<PresignedUpload> {
  return presignUpload(storage, { ownerId }, request, ownerPolicy);
}

/**
 * Link upload: checks the file against the link before taking a use, so a refused file costs
 * the client nothing; gives the use back if signing fails after it was taken.
 */
async function presignForLink(caller: Caller, request: UploadRequest): Promise<PresignedUpload> {
  const link = linkOf(caller);
  const policy = {
    maxBytes: Math.min(link.maxBytes, config.MAX_FILE_BYTES),
    allowedTypes: link.allowedTypes,
    notAfter: new Date(link.expiresAt),
  };
  checkAgainstPolicy(request, policy);
  await consumeLinkUse(links, link.linkId);
  try {
    return await presignUpload(storage, { ownerId: link.ownerId, linkId: link.linkId }, request, policy);
  } catch (error) {
    await refundLinkUse(links, link.linkId).catch((refundError) =>
      logger.error('could not give back a link use', refundError as Error),
    );
    throw error;
  }
}

export const handler = httpHandler(
  {
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
    body: uploadRequestSchema,
  },
  async ({ body, caller, requestId, sourceIp }) => {
    const upload =
      caller.kind === 'link' ? await presignForLink(caller, body) : await presignForOwner(spaceOwnerOf(caller), body);
    await recordAudit(db, config.AUDIT_TABLE, {
      ownerId: spaceOwnerOf(caller),
      action: 'upload.presign',
      actor: actorOf(caller),
      objectId: upload.uploadId,
      outcome: 'signed',
      requestId,
      sourceIp,
    });
    logger.info('upload signed', { uploadId: upload.uploadId, size: body.size, contentType: body.contentType });
    return { status: 201, body: upload };
  },
);
