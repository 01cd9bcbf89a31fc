import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id } from '#commons/schemas';
import { accessFile } from '#domain/access';
import { presignThumbnail } from '#domain/stored-files';

const db = createDocumentClient();
const storage = storageFromEnvironment(db);
const drive = driveFromEnvironment(db);

/** A short-lived URL for an image's 400x400 WebP preview; 404 for files that are not images. */
export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    params: z.object({ fileId: id }),
  },
  async ({ params, caller }) => {
    const { ownerId } = await accessFile(drive, ownerIdOf(caller), params.fileId, 'view');
    return { status: 200, body: await presignThumbnail(storage, ownerId, params.fileId) };
  },
);
