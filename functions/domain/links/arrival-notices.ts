import type { ActiveContentKind } from '#contracts/api/drive';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import type { FileRecord } from '#domain/drive/file-records';

/** "A file arrived through your link", once the validator has decided its fate. */
export interface ArrivalNotice {
  readonly ownerId: string;
  /** Absent for an owner's own upload: told only when it was found malicious or is held (they must act). */
  readonly linkId?: string;
  readonly fileId: string;
  readonly name: string;
  readonly size: number;
  /** `held`: the malware scan could not decide; the owner releases or discards it. */
  readonly status: 'clean' | 'rejected' | 'held';
  /** A rejection's or hold's code (e.g. `malware`, `type_mismatch`) and its reason in words. */
  readonly code?: string;
  readonly reason?: string;
  /** A PDF released with active content: what it carries. */
  readonly activeContent?: readonly ActiveContentKind[];
}

/** What decided a file's fate, beyond its status. */
export interface NoticeDetails {
  readonly code?: string;
  readonly reason?: string;
  readonly activeContent?: readonly ActiveContentKind[];
}

export const arrivalNotice = (
  file: FileRecord,
  status: ArrivalNotice['status'],
  details: NoticeDetails = {},
): ArrivalNotice => ({
  ownerId: file.ownerId,
  ...(file.linkId ? { linkId: file.linkId } : {}),
  fileId: file.fileId,
  name: file.name,
  size: file.size,
  status,
  ...(details.code ? { code: details.code } : {}),
  ...(details.reason ? { reason: details.reason } : {}),
  ...(details.activeContent?.length ? { activeContent: details.activeContent } : {}),
});

export interface NoticeQueue {
  /** Hands the notice to the sender (SQS SendMessage in the cloud and locally): sent off the validator's path. */
  enqueue(notice: ArrivalNotice): Promise<void>;
}

export interface NoticeChannels {
  readonly audit: AuditLog;
  readonly queue: NoticeQueue;
}

/**
 * Tells the file's owner. A link upload's arrival is kept in the owner's trail (where the web
 * app reads it) before the notice is queued for e-mail and the operators' topic: the trail entry
 * and the message are each written before the validator's own entry, and a repeated validation
 * writes them again, so a failure between them loses neither (the sender sends one per file and
 * outcome). An owner's own upload (no link) is told only when they must act on it.
 */
export async function notifyFileOwner(
  channels: NoticeChannels,
  notice: ArrivalNotice,
  context: Omit<AuditOrigin, 'actor'> = {},
): Promise<void> {
  if (notice.linkId) {
    // The arrival is the link's doing, whoever relays it.
    await recordAudit(
      channels.audit,
      { ...context, actor: `link:${notice.linkId}` },
      { ownerId: notice.ownerId, action: 'link.arrival', objectId: notice.fileId, outcome: notice.status },
    );
  } else if (!mustAct(notice)) {
    return;
  }
  await channels.queue.enqueue(notice);
}

/** Malware found or a file held: the owner must act (or know), even for their own upload. */
const mustAct = (notice: ArrivalNotice): boolean => notice.status === 'held' || notice.code === 'malware';
