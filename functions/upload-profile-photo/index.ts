import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, signingStorageFromEnvironment } from '#commons/clients';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { uploadProfilePhoto as operation } from '#contracts/api/uploads';
import { IMAGE_TYPES, limits } from '#contracts/limits';
import { recordAudit } from '#domain/audit/audit-trail';
import { presignUpload } from '#domain/uploads/uploads';

const db = createDocumentClient();
const storage = signingStorageFromEnvironment(db);
const audit = auditLogFromEnvironment(db);
const photoPolicy = { maxBytes: limits.profilePhotoMaxBytes, allowedTypes: IMAGE_TYPES };

/**
 * PUT /api/profile/photo presigns a profile photo upload (an image of at most 5 MB); the validator
 * turns it into the owner's 400x400 picture. The same upload contract and confirm route as any upload.
 */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    const upload = await presignUpload(storage, { ownerId }, body, photoPolicy, new Date(), 'profile-photo');
    await recordAudit(audit, origin, {
      ownerId,
      action: 'upload.presign',
      objectId: upload.uploadId,
      outcome: 'signed:profile-photo',
    });
    return { status: 201, body: upload };
  },
);
