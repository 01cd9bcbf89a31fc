import { Conflict, NotFound } from '#commons/errors';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessUpload, type DriveDeps } from '#domain/drive/access';
import { type FileRecord, getFile } from '#domain/drive/file-records';
import type { LinksStore, UploadLink } from '#domain/links/upload-links';
import type { QuotaStore } from '#domain/quotas/usage-item';
import { giveBackUpload } from '#domain/uploads/give-back';
import { closeUnarrived } from '#domain/uploads/multipart-uploads';
import type { StorageDeps } from '#domain/uploads/uploads';

export interface AbandonDeps {
  readonly storage: StorageDeps;
  readonly drive: DriveDeps;
  readonly quotas: QuotaStore;
  readonly links: LinksStore;
  readonly audit: AuditLog;
}

const notFound = () => new NotFound('upload_not_found', 'No such upload.');
const arrived = () =>
  // A link holder cannot delete: the words hold for both callers.
  new Conflict('upload_arrived', 'This file has already arrived in storage, so it can no longer be given up.');

/** Whether the upload can still be given up: a record that left `pending` arrived (or expired: nothing is held). */
function refuseSettled(file: FileRecord): 'expired' | undefined {
  if (file.status === 'expired') return 'expired';
  if (file.status !== 'pending') throw arrived();
  return undefined;
}

/**
 * Gives up an upload whose bytes have not arrived: the record goes and its reservation and
 * link use are given back, in one transaction (see give-back.ts); a multipart upload is
 * aborted in storage first. Refused with 409 once the object is in storage: from then on it is
 * the validator's to settle. Its URL still works until it expires; a PUT made after this finds
 * no record and the validator removes it.
 */
async function abandon(
  deps: AbandonDeps,
  origin: AuditOrigin,
  owner: { ownerId: string; linkId?: string },
  uploadId: string,
): Promise<void> {
  const file = await getFile(deps.storage.files, owner.ownerId, uploadId);
  if (!file || file.purpose || (owner.linkId !== undefined && file.linkId !== owner.linkId)) throw notFound();
  if (refuseSettled(file)) return;
  if (!(await closeUnarrived(deps.storage, file))) throw arrived();
  const given = await giveBackUpload(
    { files: deps.storage.files, quotas: deps.quotas, links: deps.links },
    file,
    'abandoned',
  );
  if (!given) {
    // Settled or given up meanwhile: say which.
    const current = await getFile(deps.storage.files, file.ownerId, file.fileId);
    if (current && refuseSettled(current)) return;
    if (current) throw arrived();
    return;
  }
  await recordAudit(deps.audit, origin, {
    ownerId: file.ownerId,
    action: 'upload.abandon',
    objectId: file.fileId,
    outcome: 'given-back',
  });
}

/** A signed-in user gives up their own upload, or one they made into a folder shared with them to edit. */
export async function abandonOwnerUpload(
  deps: AbandonDeps,
  origin: AuditOrigin,
  userId: string,
  uploadId: string,
): Promise<void> {
  const { ownerId } = await accessUpload(deps.drive, userId, uploadId);
  await abandon(deps, origin, { ownerId }, uploadId);
}

/** A link holder gives up only an upload made through its own link. */
export async function abandonLinkUpload(
  deps: AbandonDeps,
  origin: AuditOrigin,
  link: Pick<UploadLink, 'ownerId' | 'linkId'>,
  uploadId: string,
): Promise<void> {
  await abandon(deps, origin, { ownerId: link.ownerId, linkId: link.linkId }, uploadId);
}
