import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { removeOwnedShare, type SharesStore } from '#domain/sharing/shares';

/** Ends one of the caller's shares at once (the grantee's next request is refused); another owner's share answers 404. */
export async function revokeShare(
  deps: { readonly shares: SharesStore; readonly audit: AuditLog },
  origin: AuditOrigin,
  ownerId: string,
  shareId: string,
): Promise<void> {
  const share = await removeOwnedShare(deps.shares, ownerId, shareId);
  await recordAudit(deps.audit, origin, {
    ownerId,
    action: 'share.revoke',
    objectId: share.targetId,
    outcome: `revoked:${share.shareId}`,
  });
}
