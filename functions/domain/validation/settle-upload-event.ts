import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { arrivalNotice, type NoticeChannels, notifyLinkOwner } from '#domain/links/arrival-notices';
import { type ValidatorDeps, validateUpload } from '#domain/validation/validate-upload';

export interface UploadEventDeps extends ValidatorDeps {
  readonly notices: NoticeChannels;
  readonly audit: AuditLog;
}

/** One ObjectCreated record, as the validator reads it. */
export interface UploadArrival {
  /** The object key, already decoded from the event's URL encoding. */
  readonly key: string;
  /** Who sent the upload to S3: the audit trail's source address for the validation. */
  readonly sourceIp?: string;
}

/**
 * Validates one arrived upload, then tells the link owner and records the outcome. Every step
 * is safe to repeat (S3 delivers at least once): a repeated delivery finds the file settled
 * and records nothing again.
 */
export async function settleUploadEvent(
  deps: UploadEventDeps,
  arrival: UploadArrival,
  /** The validator has no HTTP request: its Lambda request id ties the entry to its log lines. */
  requestId: string,
): Promise<void> {
  const { outcome, file, verdict, replacedFileId } = await validateUpload(deps, arrival.key);
  if (!file || (outcome !== 'clean' && outcome !== 'rejected')) return;
  const origin: AuditOrigin = {
    actor: 'system:validator',
    requestId,
    ...(arrival.sourceIp ? { sourceIp: arrival.sourceIp } : {}),
  };
  const rejection = verdict && !verdict.ok ? verdict : undefined;
  // The notice first: once the validation is in the trail, any notice is too.
  if (file.linkId) {
    await notifyLinkOwner(
      deps.notices,
      arrivalNotice({ ...file, linkId: file.linkId }, outcome, { ...rejection, activeContent: file.activeContent }),
      origin,
    );
  }
  await recordAudit(deps.audit, origin, {
    ownerId: file.ownerId,
    action: 'upload.validate',
    objectId: file.fileId,
    outcome: rejection ? `rejected:${rejection.code}` : outcome,
  });
  if (replacedFileId) {
    await recordAudit(deps.audit, origin, {
      ownerId: file.ownerId,
      action: 'file.replace',
      objectId: replacedFileId,
      outcome: `new-version-from:${file.fileId}`,
    });
  }
}
