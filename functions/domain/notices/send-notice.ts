import { PublishCommand } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '#commons/logger';
import { readOwnerSettings } from '#domain/account/owner-settings';
import type { ArrivalNotice } from '#domain/links/arrival-notices';
import type { LinksStore } from '#domain/links/upload-links';
import { keepForDigest } from './digests';
import { sendOnce } from './notice-claims';
import { type LabelledNotice, noticeMail, outcomeInWords } from './notice-mail';
import { type NoticeSenderDeps, verifiedAddressOf } from './recipients';

async function withLinkLabel(links: LinksStore, notice: ArrivalNotice): Promise<LabelledNotice> {
  if (!notice.linkId) return notice;
  const { Item } = await links.db.send(
    new GetCommand({ TableName: links.tableName, Key: { linkId: notice.linkId }, ProjectionExpression: 'label' }),
  );
  return Item?.label ? { ...notice, linkLabel: String(Item.label) } : notice;
}

/**
 * Delivers one queued notice, at most once per file and outcome: under its claim, publishes it
 * to the operators' topic and, as the owner chose, e-mails it now (`each`), keeps it for the
 * day's digest (`daily`) or does nothing more (`off`: the trail has it). A failure gives the
 * claim back and throws, so the queue's redelivery tries again; a duplicate finds it sent.
 * An owner's own upload they must act on (malware, held) is e-mailed whatever the preference
 * says, unless it is `off`.
 */
export async function deliverNotice(
  deps: NoticeSenderDeps,
  notice: ArrivalNotice,
  now = new Date(),
): Promise<'sent' | 'duplicate' | 'busy'> {
  const outcome = await sendOnce(
    deps.notices,
    { pk: `notice#${notice.fileId}`, sk: notice.status },
    async () => {
      const { notices: preference } = await readOwnerSettings(deps.files, notice.ownerId);
      await publishToTopic(deps, notice);
      if (preference === 'off' || !deps.mail) return;
      const labelled = await withLinkLabel(deps.links, notice);
      if (preference === 'daily' && notice.linkId) {
        await keepForDigest(deps.notices, labelled, now);
        return;
      }
      const to = await verifiedAddressOf(deps, notice.ownerId);
      if (to) await deps.mail.send(noticeMail(labelled, to, deps.portalUrl));
    },
    now,
  );
  return outcome === 'claimed' ? 'sent' : outcome === 'sent' ? 'duplicate' : 'busy';
}

/** Same message and attributes the validator published before, so existing subscriptions keep filtering. */
async function publishToTopic(deps: NoticeSenderDeps, notice: ArrivalNotice): Promise<void> {
  const message = `"${notice.name}" ${outcomeInWords(notice)}`;
  if (!deps.topic) {
    logger.info('notice for the operators (local: logged, no topic)', { notice: { ...notice, message } });
    return;
  }
  await deps.topic.client.send(
    new PublishCommand({
      TopicArn: deps.topic.topicArn,
      Subject: 'docdrop: link arrival',
      Message: JSON.stringify({ ...notice, message }),
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'link.arrival' },
        ownerId: { DataType: 'String', StringValue: notice.ownerId },
        ...(notice.linkId ? { linkId: { DataType: 'String', StringValue: notice.linkId } } : {}),
      },
    }),
  );
}
