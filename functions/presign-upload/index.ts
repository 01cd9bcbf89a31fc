import { createAuthenticator } from '#commons/authenticate';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  signingStorageFromEnvironment,
} from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { Invalid } from '#commons/errors';
import { type Caller, httpHandler, linkOf, ownerIdOf, spaceOwnerOf } from '#commons/http';
import { newFileId } from '#commons/ids';
import { logger } from '#commons/logger';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { type OwnerUploadRequest, presignOwnerUpload as operation, type UploadRequest } from '#contracts/api/uploads';
import { limits } from '#contracts/limits';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFolder } from '#domain/drive/access';
import { ROOT } from '#domain/drive/names';
import { authenticateLinkToken, consumeLinkUse, refundLinkUse } from '#domain/links/upload-links';
import { cancelReservation, reserveUpload } from '#domain/quotas/quotas';
import { checkAgainstPolicy, type PresignedUpload, presignUpload } from '#domain/uploads/uploads';

const config = readConfig('LINKS_TABLE', 'MAX_FILE_BYTES', 'DEFAULT_QUOTA_BYTES');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const storage = signingStorageFromEnvironment(db);
const drive = driveFromEnvironment(db);
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

/**
 * Owner upload: the owner's defaults; no link involved. Into the caller's own top level, or a
 * folder of theirs or one shared with them to edit: the file is then in that folder's owner's
 * drive and counts against that owner's quota.
 */
async function presignForOwner(
  userId: string,
  request: OwnerUploadRequest,
): Promise<PresignedUpload & { ownerId: string }> {
  const { folderId, onConflict, ...upload } = request;
  checkAgainstPolicy(upload, ownerPolicy);
  const folder = await accessFolder(drive, userId, folderId ?? ROOT, 'edit');
  const where = { ownerId: folder.ownerId, folderId: folder.folderId, onConflict: onConflict ?? 'keep-both' } as const;
  const signed = await reservingQuota(folder.ownerId, upload, (fileId, now) =>
    presignUpload(storage, where, upload, ownerPolicy, now, undefined, fileId),
  );
  return { ...signed, ownerId: folder.ownerId };
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
    // The owner and link routes take the same body (contracts/api/uploads.ts).
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ body, caller, origin }) => {
    let upload: PresignedUpload;
    let ownerId: string;
    if (caller.kind === 'link') {
      // A link's uploads land at the top level of the link owner's drive, numbered if the name is taken.
      if (body.folderId !== undefined || body.onConflict !== undefined) {
        throw new Invalid('invalid_body', 'Invalid body: an upload link chooses neither folder nor onConflict.');
      }
      upload = await presignForLink(caller, body);
      ownerId = spaceOwnerOf(caller);
    } else {
      ({ ownerId, ...upload } = await presignForOwner(ownerIdOf(caller), body));
    }
    await recordAudit(audit, origin, {
      ownerId,
      action: 'upload.presign',
      objectId: upload.uploadId,
      outcome: 'signed',
    });
    logger.info('upload signed', { uploadId: upload.uploadId, size: body.size, contentType: body.contentType });
    return { status: 201, body: upload };
  },
);
