import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { actorOf, httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { IMAGE_TYPES, limits } from '#definitions/limits';
import { recordAudit } from '#domain/audit';
import { presignProfilePhoto } from '#domain/stored-files';
import { presignUpload, uploadRequestSchema } from '#domain/uploads';

const db = createDocumentClient();
const storage = storageFromEnvironment(db);
const audit = auditLogFromEnvironment(db);
const authenticate = createAuthenticator({ owner: ownerVerifierFromEnvironment() });
const photoPolicy = { maxBytes: limits.profilePhotoMaxBytes, allowedTypes: IMAGE_TYPES };

/**
 * PUT presigns a profile photo upload (an image of at most 5 MB); the validator turns it into
 * the owner's 400x400 picture. The same upload contract and confirm route as any upload.
 */
const putPhoto = httpHandler(
  { authenticate, body: uploadRequestSchema },
  async ({ body, caller, requestId, sourceIp }) => {
    const ownerId = ownerIdOf(caller);
    const upload = await presignUpload(storage, { ownerId }, body, photoPolicy, new Date(), 'profile-photo');
    await recordAudit(audit, {
      ownerId,
      action: 'upload.presign',
      actor: actorOf(caller),
      objectId: upload.uploadId,
      outcome: 'signed:profile-photo',
      requestId,
      sourceIp,
    });
    return { status: 201, body: upload };
  },
);

/** GET answers a short-lived URL of the current picture, or 404 when there is none yet. */
const getPhoto = httpHandler({ authenticate }, async ({ caller }) => ({
  status: 200,
  body: await presignProfilePhoto(storage, ownerIdOf(caller)),
}));

export const handler: typeof getPhoto = (event, context) =>
  event.requestContext.http.method === 'PUT' ? putPhoto(event, context) : getPhoto(event, context);
