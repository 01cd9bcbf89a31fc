import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { logger } from '#commons/logger';
import type { ActiveContentKind } from '#contracts/api/drive';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import type { FileRecord } from '#domain/drive/file-records';

/** "A file arrived through your link", once the validator has decided its fate. */
export interface ArrivalNotice {
  readonly ownerId: string;
  readonly linkId: string;
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
  file: FileRecord & { linkId: string },
  status: ArrivalNotice['status'],
  details: NoticeDetails = {},
): ArrivalNotice => ({
  ownerId: file.ownerId,
  linkId: file.linkId,
  fileId: file.fileId,
  name: file.name,
  size: file.size,
  status,
  ...(details.code ? { code: details.code } : {}),
  ...(details.reason ? { reason: details.reason } : {}),
  ...(details.activeContent?.length ? { activeContent: details.activeContent } : {}),
});

export function describeNotice(notice: ArrivalNotice): { subject: string; message: string } {
  if (notice.status === 'held') {
    return {
      subject: 'docdrop: a file sent through your link is held for you',
      message: `"${notice.name}" arrived through your upload link, but the malware scan could not decide (${notice.reason ?? 'no result'}). Release or discard it in docdrop.`,
    };
  }
  return notice.status === 'clean'
    ? {
        subject: 'docdrop: a file arrived through your link',
        message: `"${notice.name}" arrived through your upload link and passed the checks.`,
      }
    : {
        subject: 'docdrop: a file sent through your link was rejected',
        message: `"${notice.name}" was sent through your upload link and rejected: ${notice.reason ?? 'it failed validation'}.`,
      };
}

export interface NoticeChannels {
  readonly audit: AuditLog;
  /** The cloud's topic; without it (locally) the notice is printed instead of sent. */
  readonly sns?: { readonly client: SNSClient; readonly topicArn: string };
}

/**
 * Tells the link's owner. The notice is always kept in the owner's trail (where the web app
 * reads it); in the cloud it is also published to the notifications topic with the owner
 * and link as message attributes, so subscriptions can filter on them.
 */
export async function notifyLinkOwner(
  channels: NoticeChannels,
  notice: ArrivalNotice,
  context: Omit<AuditOrigin, 'actor'> = {},
): Promise<void> {
  const { subject, message } = describeNotice(notice);
  // The arrival is the link's doing, whoever relays it.
  await recordAudit(
    channels.audit,
    { ...context, actor: `link:${notice.linkId}` },
    { ownerId: notice.ownerId, action: 'link.arrival', objectId: notice.fileId, outcome: notice.status },
  );
  if (!channels.sns) {
    logger.info('link owner notified (local: printed, not sent)', { notice: { ...notice, subject, message } });
    return;
  }
  await channels.sns.client.send(
    new PublishCommand({
      TopicArn: channels.sns.topicArn,
      Subject: subject,
      Message: JSON.stringify({ ...notice, message }),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'link.arrival' },
        ownerId: { DataType: 'String', StringValue: notice.ownerId },
        linkId: { DataType: 'String', StringValue: notice.linkId },
      },
    }),
  );
}
