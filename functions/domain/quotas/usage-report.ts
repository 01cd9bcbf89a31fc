import { releaseExpired } from '#domain/quotas/sweeping';
import { describeUsage, type QuotaStore, readUsageItem, type Usage } from '#domain/quotas/usage-item';

/** The owner's usage, after giving back what has expired. */
export async function getUsage(
  store: QuotaStore,
  ownerId: string,
  limitBytes: number,
  now = new Date(),
): Promise<Usage> {
  await releaseExpired(store, ownerId, await readUsageItem(store, ownerId), now);
  // Read again whoever released what: a concurrent sweep may have changed the item after the first read.
  return describeUsage(await readUsageItem(store, ownerId), limitBytes);
}
