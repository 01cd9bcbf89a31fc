import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { type LinksStore, revokeUploadLink } from '#domain/links/upload-links';

export interface RevokeLinkDeps {
  readonly links: LinksStore;
  readonly audit: AuditLog;
}

/** Revokes one of the owner's links at once, and records it. */
export async function revokeLink(
  deps: RevokeLinkDeps,
  origin: AuditOrigin,
  ownerId: string,
  linkId: string,
): Promise<void> {
  await revokeUploadLink(deps.links, ownerId, linkId);
  await recordAudit(deps.audit, origin, { ownerId, action: 'link.revoke', objectId: linkId, outcome: 'revoked' });
}
