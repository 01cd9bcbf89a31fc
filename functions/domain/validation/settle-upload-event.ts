import { parseIncomingKey } from '#contracts/bucket';
import type { ScanResult } from '#contracts/malware-scan';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { getFile } from '#domain/drive/file-records';
import { arrivalNotice, type NoticeChannels, notifyFileOwner } from '#domain/links/arrival-notices';
import { noteUploaderAddress, recordScanResult } from '#domain/validation/malware-gate';
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
  // With the gate on, the scan's event may settle it: note first who sent it, which only S3's names.
  const ids = deps.malware?.mode === 'guardduty' && arrival.sourceIp ? parseIncomingKey(arrival.key) : undefined;
  if (ids && arrival.sourceIp) await noteUploaderAddress(deps.files, ids, arrival.sourceIp);
  const { outcome, file, verdict, replacedFileId } = await validateUpload(deps, arrival.key);
  if (!file || (outcome !== 'clean' && outcome !== 'rejected' && outcome !== 'held')) return;
  // Settled by the scan's event: the address S3's event noted, read again (it may have come since).
  const sourceIp =
    arrival.sourceIp ?? file.uploaderIp ?? (await getFile(deps.files, file.ownerId, file.fileId))?.uploaderIp;
  const origin: AuditOrigin = { actor: 'system:validator', requestId, ...(sourceIp ? { sourceIp } : {}) };
  const rejection = verdict && !verdict.ok ? verdict : undefined;
  // The notice first: once the validation is in the trail, any notice is too.
  // Every link arrival; an owner's own upload only when they must act (malware, held): the notifier decides.
  await notifyFileOwner(
    deps.notices,
    arrivalNotice(file, outcome, { ...rejection, activeContent: file.activeContent }),
    origin,
  );
  await recordAudit(deps.audit, origin, {
    ownerId: file.ownerId,
    action: 'upload.validate',
    objectId: file.fileId,
    outcome: rejection ? `${outcome}:${rejection.code}` : outcome,
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

/** One scan-result event (GuardDuty's, or the local stand-in's), as the validator reads it. */
export interface ScanArrival {
  readonly key: string;
  readonly result: ScanResult;
  readonly threats: readonly string[];
}

/**
 * Records a scan's result on its upload (once: audited as `upload.scan` by `system:scanner`),
 * then validates it as its ObjectCreated event would: whichever of the two comes last releases
 * it, and a repeated one finds the file settled.
 */
export async function settleScanResult(deps: UploadEventDeps, scan: ScanArrival, requestId: string): Promise<void> {
  const ids = parseIncomingKey(scan.key);
  // Not a key docdrop signs: its ObjectCreated event removes the object.
  if (!ids) return;
  if (await recordScanResult(deps.files, ids, scan.result, scan.threats, new Date())) {
    await recordAudit(
      deps.audit,
      { actor: 'system:scanner', requestId },
      { ownerId: ids.ownerId, action: 'upload.scan', objectId: ids.fileId, outcome: scan.result },
    );
  }
  await settleUploadEvent(deps, { key: scan.key }, requestId);
}
