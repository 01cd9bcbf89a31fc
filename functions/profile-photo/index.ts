import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { NotFound } from '#commons/errors';
import { actorOf, httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { profilePhotoKey } from '#definitions/bucket';
import { IMAGE_TYPES, limits } from '#definitions/limits';
import { recordAudit } from '#domain/audit';
import { getProfilePointer } from '#domain/file-records';
import { presignUpload, uploadRequestSchema } from '#domain/uploads';

const config = readConfig('AUDIT_TABLE');
const db = createDocumentClient();
const storage = storageFromEnvironment(db);
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
    await recordAudit(db, config.AUDIT_TABLE, {
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
const getPhoto = httpHandler({ authenticate }, async ({ caller }) => {
  const ownerId = ownerIdOf(caller);
  const pointer = await getProfilePointer(storage.files, ownerId);
  if (!pointer) throw new NotFound('no_profile_photo', 'There is no profile photo yet.');
  const url = await getSignedUrl(
    storage.s3,
    new GetObjectCommand({
      Bucket: storage.bucket,
      Key: profilePhotoKey(ownerId, pointer.photoFileId),
      ResponseContentType: 'image/webp',
    }),
    { expiresIn: limits.downloadUrlSeconds },
  );
  return {
    status: 200,
    body: { url, expiresAt: new Date(Date.now() + limits.downloadUrlSeconds * 1000).toISOString() },
  };
});

export const handler: typeof getPhoto = (event, context) =>
  event.requestContext.http.method === 'PUT' ? putPhoto(event, context) : getPhoto(event, context);
