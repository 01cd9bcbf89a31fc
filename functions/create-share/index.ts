import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { Invalid, NotFound } from '#commons/errors';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { createShare as operation } from '#contracts/api/sharing';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFile, accessFolder } from '#domain/drive/access';
import { describeShare, putShare } from '#domain/sharing/shares';
import { findUserByEmail } from '#domain/sharing/user-directory';

const config = readConfig('USER_POOL_ID', 'AWS_REGION', 'COGNITO_ENDPOINT');
const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);
const directory = new CognitoIdentityProviderClient({
  region: config.AWS_REGION,
  ...(config.COGNITO_ENDPOINT ? { endpoint: config.COGNITO_ENDPOINT } : {}),
});

/**
 * POST /api/shares: shares one of the caller's own files or folders with another user, found
 * by e-mail in the user pool. Only an owner shares (a grantee cannot pass a share on).
 */
export const handler = httpHandler(
  { ...operation, authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }) },
  async ({ body, caller, origin }) => {
    const ownerId = ownerIdOf(caller);
    // Only the owner shares: a grantee who can see the thing gets 403, anyone else 404.
    const target = body.fileId
      ? { kind: 'file' as const, id: (await accessFile(drive, ownerId, body.fileId, 'owner')).file.fileId }
      : {
          kind: 'folder' as const,
          id: (await accessFolder(drive, ownerId, body.folderId as string, 'owner')).folderId,
        };
    const grantee = await findUserByEmail(directory, config.USER_POOL_ID, body.email);
    if (!grantee) throw new NotFound('user_not_found', 'No docdrop user signs in with that e-mail address.');
    if (grantee.userId === ownerId) throw new Invalid('invalid_body', 'Invalid body: you cannot share with yourself.');
    const share = await putShare(drive.shares, {
      ownerId,
      granteeId: grantee.userId,
      granteeEmail: grantee.email,
      targetKind: target.kind,
      targetId: target.id,
      role: body.role,
    });
    await recordAudit(audit, origin, {
      ownerId,
      action: 'share.create',
      objectId: target.id,
      outcome: `shared:${share.shareId}:${share.role}`,
    });
    return { status: 201, body: describeShare(share) };
  },
);
