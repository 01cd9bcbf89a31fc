import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from '#commons/clients';
import { readConfig } from '#commons/config';
import { actorOf, type Caller, httpHandler, linkOf, spaceOwnerOf } from '#commons/http';
import { newFileId } from '#commons/ids';
import { logger } from '#commons/logger';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { limits } from '#definitions/limits';
import { recordAudit } from '#domain/audit';
import { cancelReservation, reserveUpload } from '#domain/quotas';
import { authenticateLinkToken, consumeLinkUse, refundLinkUse } from '#domain/upload-links';
import {
  checkAgainstPolicy,
  type PresignedUpload,
  presignUpload,
  type UploadRequest,
  uploadRequestSchema,
} from '#domain/uploads';

const config = readConfig('LINKS_TABLE', 'MAX_FILE_BYTES', 'DEFAULT_QUOTA_BYTES');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const storage = storageFromEnvironment(db);
const quotas = quotasFromEnvironment(db);
const audit = auditLogFromEnvironment(db);
const ownerPolicy = { maxBytes: config.MAX_FILE_BYTES, allowedTypes: limits.ownerAllowedTypes };

/**
 * Reserves the declared size against the space owner's quota, then signs; gives the
 * reservation back if anything after it fails (a link used up meanwhile, signing).
 */
async function reservingQuota(
  ownerId: string,
  request: UploadRequest,
  sign: (fileId: string, now: Date) => Promise<PresignedUpload>,
): Promise<PresignedUpload> {
  const now = new Date();
  const fileId = newFileId(now.getTime());
  // The URL lives at most this long (less when a link expires sooner).
  const urlExpiresAt = new Date(now.getTime() + limits.uploadUrlSeconds * 1000);
  await reserveUpload(quotas, { ownerId, fileId, bytes: request.size, urlExpiresAt }, config.DEFAULT_QUOTA_BYTES, now);
  try {
    return await sign(fileId, now);
  } catch (error) {
    await cancelReservation(quotas, ownerId, fileId).catch((releaseError) =>
      logger.error('could not give back a quota reservation', releaseError as Error),
    );
    throw error;
  }
}

/** Owner upload: the owner's defaults; no link involved. */
function presignForOwner(ownerId: string, request: UploadRequest): Promise<PresignedUpload> {
  checkAgainstPolicy(request, ownerPolicy);
  return reservingQuota(ownerId, request, (fileId, now) =>
    presignUpload(storage, { ownerId }, request, ownerPolicy, now, undefined, fileId),
  );
}

/**
 * Link upload: checks the file against the link and the link owner's quota before taking a
 * use, so a refused file costs the client nothing; gives the use back if signing fails after
 * it was taken.
 */
async function presignForLink(caller: Caller, request: UploadRequest): Promise<PresignedUpload> {
  const link = linkOf(caller);
  const policy = {
    maxBytes: Math.min(link.maxBytes, config.MAX_FILE_BYTES),
    allowedTypes: link.allowedTypes,
    notAfter: new Date(link.expiresAt),
  };
  checkAgainstPolicy(request, policy);
  return reservingQuota(link.ownerId, request, async (fileId, now) => {
    await consumeLinkUse(links, link.linkId);
    try {
      return await presignUpload(
        storage,
        { ownerId: link.ownerId, linkId: link.linkId },
        request,
        policy,
        now,
        undefined,
        fileId,
      );
    } catch (error) {
      await refundLinkUse(links, link.linkId).catch((refundError) =>
        logger.error('could not give back a link use', refundError as Error),
      );
      throw error;
    }
  });
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
    await recordAudit(audit, {
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
