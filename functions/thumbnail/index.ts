import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id } from '#commons/schemas';
import { presignThumbnail } from '#domain/stored-files';

const storage = storageFromEnvironment(createDocumentClient());

/** A short-lived URL for an image's 400x400 WebP preview; 404 for files that are not images. */
export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    params: z.object({ fileId: id }),
  },
  async ({ params, caller }) => ({
    status: 200,
    body: await presignThumbnail(storage, ownerIdOf(caller), params.fileId),
  }),
);
