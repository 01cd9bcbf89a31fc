import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { userDirectoryFromEnvironment } from '#commons/user-directory';
import { createShare as operation } from '#contracts/api/sharing';
import { shareWithUser } from '#domain/sharing/share-with-user';
import { describeShare } from '#domain/sharing/shares';

const db = createDocumentClient();
const deps = {
  ...driveFromEnvironment(db),
  directory: userDirectoryFromEnvironment(),
  audit: auditLogFromEnvironment(db),
};

/** POST /api/shares: shares one of the caller's own files or folders with another user, found by e-mail. */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => {
    const share = await shareWithUser(deps, origin, ownerIdOf(caller), body);
    return { status: 201, body: describeShare(share) };
  },
);
