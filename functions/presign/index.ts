import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { Invalid } from '#commons/errors';
import { actorOf, type Caller, httpHandler, linkOf, ownerIdOf, spaceOwnerOf } from '#commons/http';
import { logger } from '#commons/logger';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { folderRef } from '#commons/schemas';
import { limits } from '#definitions/limits';
import { accessFolder } from '#domain/access';
import { recordAudit } from '#domain/audit';
import { ROOT } from '#domain/drive-names';
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
const drive = driveFromEnvironment(db);
const ownerPolicy = { maxBytes: config.MAX_FILE_BYTES, allowedTypes: limits.ownerAllowedTypes };

/**
 * Owner upload: the owner's defaults; no link involved. Into the caller's own top level, or a
 * folder of theirs or one shared with them to edit (the file is then in that folder's owner's drive).
 */
async function presignForOwner(
  userId: string,
  request: OwnerUploadRequest,
): Promise<PresignedUpload & { ownerId: string }> {
  const { folderId, onConflict, ...upload } = request;
  const folder = await accessFolder(drive, userId, folderId ?? ROOT, 'edit');
  const signed = await presignUpload(
    storage,
    { ownerId: folder.ownerId, folderId: folder.folderId, onConflict: onConflict ?? 'keep-both' },
    upload,
    ownerPolicy,
  );
  return { ...signed, ownerId: folder.ownerId };
}

/** The owner route also takes where the file goes and what happens if its name is taken there. */
const ownerUploadRequestSchema = uploadRequestSchema.extend({
  folderId: folderRef.optional(),
  onConflict: z.enum(['keep-both', 'replace']).optional(),
});
type OwnerUploadRequest = z.output<typeof ownerUploadRequestSchema>;

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
    body: ownerUploadRequestSchema,
  },
  async ({ body, caller, requestId, sourceIp }) => {
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
    await recordAudit(db, config.AUDIT_TABLE, {
      ownerId,
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
