import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { logger } from '#commons/logger';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import type { FileRecord } from '#domain/drive/file-records';

/** "A file arrived through your link", once the validator has decided its fate. */
export interface ArrivalNotice {
  readonly ownerId: string;
  readonly linkId: string;
  readonly fileId: string;
  readonly name: string;
  readonly status: 'clean' | 'rejected';
  readonly reason?: string;
}

export const arrivalNotice = (
  file: FileRecord & { linkId: string },
  status: 'clean' | 'rejected',
  reason?: string,
): ArrivalNotice => ({
  ownerId: file.ownerId,
  linkId: file.linkId,
  fileId: file.fileId,
  name: file.name,
  status,
  ...(reason ? { reason } : {}),
});

export function describeNotice(notice: ArrivalNotice): { subject: string; message: string } {
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
