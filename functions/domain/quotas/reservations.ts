import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, TooLarge } from '#commons/errors';
import { isConditionFailure, retryingConflicts } from '#commons/transactions';
import { limits } from '#contracts/limits';
import { releaseExpired, releaseOpenReservation } from '#domain/quotas/sweeping';
import {
  describeUsage,
  epochSeconds,
  type QuotaStore,
  type Reservation,
  readUsageItem,
  USAGE,
  type Usage,
} from '#domain/quotas/usage-item';

function quotaExceeded(bytes: number, usage: Usage): TooLarge {
  return new TooLarge(
    'quota_exceeded',
    `This upload needs ${bytes} bytes, but only ${usage.availableBytes} of the ${usage.limitBytes}-byte storage quota are left.`,
  );
}

export interface ReservationRequest {
  readonly ownerId: string;
  readonly fileId: string;
  readonly bytes: number;
  /** When the upload URL stops working; the reservation is kept a grace period longer. */
  readonly urlExpiresAt: Date;
}

/**
 * Reserves an upload's declared size against the owner's quota with one conditional update:
 * of any number of parallel requests, exactly those that fit succeed. Refuses with 413
 * `quota_exceeded`, saying how much is left.
 */
export async function reserveUpload(
  store: QuotaStore,
  request: ReservationRequest,
  limitBytes: number,
  now = new Date(),
): Promise<void> {
  const { ownerId, fileId, bytes } = request;
  const item = await readUsageItem(store, ownerId);
  if (bytes > limitBytes) throw quotaExceeded(bytes, describeUsage(item, limitBytes));
  if (!item?.open) {
    // The map must exist before one of its entries can be set.
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { ownerId, entry: USAGE },
        UpdateExpression: 'SET #open = if_not_exists(#open, :empty)',
        ExpressionAttributeNames: { '#open': 'open' },
        ExpressionAttributeValues: { ':empty': {} },
      }),
    );
  }
  await releaseExpired(store, ownerId, item, now);
  const reservation: Reservation = {
    bytes,
    until: epochSeconds(request.urlExpiresAt) + limits.quota.reservationGraceSeconds,
  };
  try {
    await retryingConflicts(() =>
      store.db.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { ownerId, entry: USAGE },
          UpdateExpression: 'SET #open.#file = :reservation ADD reservedBytes :bytes, committedBytes :bytes',
          ConditionExpression:
            '(attribute_not_exists(committedBytes) OR committedBytes <= :most) AND size(#open) < :maxOpen AND attribute_not_exists(#open.#file)',
          ExpressionAttributeNames: { '#open': 'open', '#file': fileId },
          ExpressionAttributeValues: {
            ':reservation': reservation,
            ':bytes': bytes,
            ':most': limitBytes - bytes,
            ':maxOpen': limits.quota.maxOpenReservations,
          },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const current = await readUsageItem(store, ownerId);
    // The SDK retried a write that had committed but answered late (a call timeout): it is ours.
    if (current?.open?.[fileId]?.bytes === bytes) return;
    const usage = describeUsage(current, limitBytes);
    if (bytes > usage.availableBytes) throw quotaExceeded(bytes, usage);
    throw new Conflict(
      'too_many_pending_uploads',
      `${limits.quota.maxOpenReservations} uploads are signed and not yet finished; send or let some expire first.`,
    );
  }
}

/** Gives a reservation back at once (signing failed after it was made, or the upload was refused). */
export async function cancelReservation(store: QuotaStore, ownerId: string, fileId: string): Promise<void> {
  const reservation = (await readUsageItem(store, ownerId))?.open?.[fileId];
  if (reservation) await releaseOpenReservation(store, ownerId, fileId, reservation);
}
