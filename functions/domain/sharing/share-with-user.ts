import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Invalid, NotFound } from '#commons/errors';
import type { ShareRole } from '#contracts/api/sharing';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, accessFolder, type DriveDeps } from '#domain/drive/access';
import { putShare, type ShareRecord } from '#domain/sharing/shares';
import { findUserByEmail } from '#domain/sharing/user-directory';

/** The user pool in which a grantee is looked up by e-mail. */
export interface UserDirectory {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
}

/** Exactly one of `fileId` and `folderId` (the request schema refuses anything else). */
export interface ShareRequest {
  readonly email: string;
  readonly role: ShareRole;
  readonly fileId?: string | undefined;
  readonly folderId?: string | undefined;
}

/**
 * Shares one of the caller's own files or folders with another user, found by e-mail in the
 * user pool. Only an owner shares (a grantee cannot pass a share on); sharing again with the
 * same user changes the role.
 */
export async function shareWithUser(
  deps: DriveDeps & { readonly directory: UserDirectory; readonly audit: AuditLog },
  origin: AuditOrigin,
  ownerId: string,
  request: ShareRequest,
): Promise<ShareRecord> {
  // Only the owner shares: a grantee who can see the thing gets 403, anyone else 404.
  const target =
    request.fileId !== undefined
      ? { kind: 'file' as const, id: (await accessFile(deps, ownerId, request.fileId, 'owner')).file.fileId }
      : {
          kind: 'folder' as const,
          id: (await accessFolder(deps, ownerId, request.folderId as string, 'owner')).folderId,
        };
  const grantee = await findUserByEmail(deps.directory.client, deps.directory.userPoolId, request.email);
  if (!grantee) throw new NotFound('user_not_found', 'No docdrop user signs in with that e-mail address.');
  if (grantee.userId === ownerId) throw new Invalid('invalid_body', 'Invalid body: you cannot share with yourself.');
  const share = await putShare(deps.shares, {
    ownerId,
    granteeId: grantee.userId,
    granteeEmail: grantee.email,
    targetKind: target.kind,
    targetId: target.id,
    role: request.role,
  });
  await recordAudit(deps.audit, origin, {
    ownerId,
    action: 'share.create',
    objectId: target.id,
    outcome: `shared:${share.shareId}:${share.role}`,
  });
  return share;
}
