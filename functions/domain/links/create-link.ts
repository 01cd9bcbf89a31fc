import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { createUploadLink, describeNewLink, type LinksStore, type NewLink } from '#domain/links/upload-links';

export interface CreateLinkDeps {
  readonly links: LinksStore;
  readonly audit: AuditLog;
  /** Origin of the web app, where the drop page is. */
  readonly webBaseUrl: string;
}

/** Creates an upload link for the owner, records it, and answers it with its token and URL. */
export async function createLink(deps: CreateLinkDeps, origin: AuditOrigin, ownerId: string, input: NewLink) {
  const { link, token } = await createUploadLink(deps.links, ownerId, input);
  await recordAudit(deps.audit, origin, { ownerId, action: 'link.create', objectId: link.linkId, outcome: 'created' });
  return describeNewLink(link, token, deps.webBaseUrl);
}
