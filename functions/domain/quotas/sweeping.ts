import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, isConditionFailure, retryingConflicts } from '#commons/transactions';
import {
  epochSeconds,
  NONCURRENT,
  type QuotaStore,
  type Reservation,
  USAGE,
  type UsageItem,
} from '#domain/quotas/usage-item';

/**
 * Expired entries given back lazily, before every reservation and every usage report (the only
 * moments anyone looks at the number): no scheduler, nothing idle, no dependence on TTL.
 */

/** Gives one reservation back, if it is still open with these bytes and expiry; false when it was not. */
export async function releaseOpenReservation(
  store: QuotaStore,
  ownerId: string,
  fileId: string,
  reservation: Reservation,
): Promise<boolean> {
  try {
    await retryingConflicts(() =>
      store.db.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { ownerId, entry: USAGE },
          UpdateExpression: 'REMOVE #open.#file ADD reservedBytes :minus, committedBytes :minus',
          ConditionExpression: '#open.#file.bytes = :bytes AND #open.#file.#until = :until',
          ExpressionAttributeNames: { '#open': 'open', '#file': fileId, '#until': 'until' },
          ExpressionAttributeValues: {
            ':minus': -reservation.bytes,
            ':bytes': reservation.bytes,
            ':until': reservation.until,
          },
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives back every reservation past its expiry. */
async function releaseExpiredReservations(
  store: QuotaStore,
  ownerId: string,
  item: UsageItem | undefined,
  now: Date,
): Promise<boolean> {
  const expired = Object.entries(item?.open ?? {}).filter(([, reservation]) => reservation.until <= epochSeconds(now));
  const released = await Promise.all(
    expired.map(([fileId, reservation]) => releaseOpenReservation(store, ownerId, fileId, reservation)),
  );
  return released.some(Boolean);
}

/** Stops counting replaced content whose noncurrent version has passed its retention. */
async function releaseExpiredNoncurrent(store: QuotaStore, ownerId: string, now: Date): Promise<boolean> {
  const { Items = [] } = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      KeyConditionExpression: 'ownerId = :owner AND entry BETWEEN :first AND :last',
      ExpressionAttributeValues: {
        ':owner': ownerId,
        ':first': NONCURRENT,
        ':last': `${NONCURRENT}${now.toISOString()}`,
      },
      ConsistentRead: true,
    }),
  );
  const released = await Promise.all(
    (Items as { entry: string; bytes: number }[]).map(async ({ entry, bytes }) => {
      try {
        await retryingConflicts(() =>
          store.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Delete: {
                    TableName: store.tableName,
                    Key: { ownerId, entry },
                    ConditionExpression: 'attribute_exists(entry)',
                  },
                },
                {
                  Update: {
                    TableName: store.tableName,
                    Key: { ownerId, entry: USAGE },
                    UpdateExpression: 'ADD usedBytes :minus, committedBytes :minus',
                    ExpressionAttributeValues: { ':minus': -bytes },
                  },
                },
              ],
            }),
          ),
        );
        return true;
      } catch (error) {
        // Another sweep released it first.
        if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
        throw error;
      }
    }),
  );
  return released.some(Boolean);
}

/** Everything past its time given back: expired reservations and replaced content past retention. */
export async function releaseExpired(store: QuotaStore, ownerId: string, item: UsageItem | undefined, now: Date) {
  await Promise.all([
    releaseExpiredReservations(store, ownerId, item, now),
    releaseExpiredNoncurrent(store, ownerId, now),
  ]);
}
