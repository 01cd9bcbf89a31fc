import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '#commons/logger';
import { readOwnerSettings } from '#domain/account/owner-settings';
import { type NoticesStore, sendOnce } from './notice-claims';
import { digestMail, type LabelledNotice } from './notice-mail';
import { type DigestDeps, verifiedAddressOf } from './recipients';

/** A missed run (a failed day) is caught up by the next ones for this many days; entries expire after. */
const CATCH_UP_DAYS = 7;

const dayOf = (date: Date): string => date.toISOString().slice(0, 10);
const digestPartition = (day: string) => `digest#${day}`;

/** Keeps a `daily` owner's notice in its UTC day's digest; a repeated keep writes the same item again. */
export async function keepForDigest(store: NoticesStore, notice: LabelledNotice, now = new Date()): Promise<void> {
  await store.db.send(
    new PutCommand({
      TableName: store.tableName,
      Item: {
        pk: digestPartition(dayOf(now)),
        sk: `${notice.ownerId}#${notice.fileId}#${notice.status}`,
        ownerId: notice.ownerId,
        keptAt: now.toISOString(),
        notice,
        ttl: Math.floor(now.getTime() / 1000) + (CATCH_UP_DAYS + 1) * 86_400,
      },
    }),
  );
}

/** The UTC days a run at `now` covers: the days before today (today's arrivals are the next run's). */
export function digestDays(now: Date): string[] {
  return Array.from({ length: CATCH_UP_DAYS }, (_, back) => dayOf(new Date(now.getTime() - (back + 1) * 86_400_000)));
}

async function keptOn(
  store: NoticesStore,
  day: string,
): Promise<{ ownerId: string; notice: LabelledNotice; keptAt: string }[]> {
  const kept: { ownerId: string; notice: LabelledNotice; keptAt: string }[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        KeyConditionExpression: 'pk = :day',
        ExpressionAttributeValues: { ':day': digestPartition(day) },
        ConsistentRead: true,
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    kept.push(...((page.Items ?? []) as typeof kept));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return kept;
}

/**
 * Sends each owner still on `daily` one e-mail of each covered day's kept notices, once (a
 * claim per owner and day, as for single notices). A failed owner is given back and the run
 * fails after the others are sent, so the schedule's retry (or the next day) sends it.
 */
export async function sendDigests(deps: DigestDeps, now = new Date()): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  let failed = 0;
  for (const day of digestDays(now).reverse()) {
    const byOwner = new Map<string, { notice: LabelledNotice; keptAt: string }[]>();
    for (const entry of await keptOn(deps.notices, day)) {
      byOwner.set(entry.ownerId, [...(byOwner.get(entry.ownerId) ?? []), entry]);
    }
    for (const [ownerId, entries] of byOwner) {
      try {
        const outcome = await sendOnce(deps.notices, { pk: `digest-sent#${day}`, sk: ownerId }, async () => {
          const { notices: preference } = await readOwnerSettings(deps.files, ownerId);
          if (preference !== 'daily' || !deps.mail) return;
          const to = await verifiedAddressOf(deps, ownerId);
          const notices = entries.sort((a, b) => a.keptAt.localeCompare(b.keptAt)).map((entry) => entry.notice);
          if (to) await deps.mail.send(digestMail(notices, to, deps.portalUrl, day));
        });
        if (outcome === 'claimed') sent += 1;
      } catch (error) {
        failed += 1;
        logger.error('daily digest not sent; the next run tries again', { ownerId, day, error: error as Error });
      }
    }
  }
  return { sent, failed };
}
