import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from '#commons/transactions';
import type { FileRecord } from '#domain/drive/file-records';
import { chargeEntry, noncurrentEntry, type QuotaStore, readUsageItem, usageUpdate } from '#domain/quotas/usage-item';

/**
 * The quota side of transactions that settle or remove a file: each released file has a
 * `charge#<fileId>` item with the bytes it counts, so that a delete gives back exactly those.
 * The use case that owns the transaction adds the record's own item.
 */

/**
 * The quota side of settling an upload, for a transaction that also settles its record: the
 * usage update (first; conditioned on the open reservation when `withReservation`) and, for
 * stored bytes, the charge of the file that holds them (`chargeFileId`: the upload itself, or
 * for a replace the file whose new version it became).
 */
export function settlementQuotaItems(
  quotas: QuotaStore,
  file: FileRecord,
  storedBytes: number,
  withReservation: boolean,
  now: Date,
  chargeFileId = file.fileId,
): TransactItem[] {
  return [
    usageUpdate(quotas, file.ownerId, file.fileId, {
      ...(withReservation ? { reservedBytes: file.size } : {}),
      usedBytes: storedBytes,
    }),
    ...(storedBytes > 0
      ? [
          {
            Put: {
              TableName: quotas.tableName,
              Item: {
                ownerId: file.ownerId,
                entry: chargeEntry(chargeFileId),
                bytes: storedBytes,
                at: now.toISOString(),
              },
              ConditionExpression: 'attribute_not_exists(entry)',
            },
          },
        ]
      : []),
  ];
}

/**
 * The quota side of a `replace` release, for the transaction that also settles the upload:
 * the upload's reservation closed and the new content counted (the usage update, first), the
 * replaced file's charge set to the new content's bytes, and the old content's bytes kept in a
 * noncurrent entry until `keepUntil` (the bucket keeps the old version that long). The charge
 * is conditioned on what was read here, and everything is refused with the upload's record if
 * another delivery settled it: nothing is retired or charged twice.
 */
export async function replacementQuotaItems(
  quotas: QuotaStore,
  upload: FileRecord,
  replacedFileId: string,
  storedBytes: number,
  withReservation: boolean,
  keepUntil: Date,
  now: Date,
): Promise<TransactItem[]> {
  const { Item } = await quotas.db.send(
    new GetCommand({
      TableName: quotas.tableName,
      Key: { ownerId: upload.ownerId, entry: chargeEntry(replacedFileId) },
      ConsistentRead: true,
    }),
  );
  const oldBytes = (Item as { bytes?: number } | undefined)?.bytes;
  const key = { ownerId: upload.ownerId, entry: chargeEntry(replacedFileId) };
  return [
    usageUpdate(quotas, upload.ownerId, upload.fileId, {
      ...(withReservation ? { reservedBytes: upload.size } : {}),
      usedBytes: storedBytes,
    }),
    oldBytes === undefined
      ? {
          Put: {
            TableName: quotas.tableName,
            Item: { ...key, bytes: storedBytes, at: now.toISOString() },
            ConditionExpression: 'attribute_not_exists(entry)',
          },
        }
      : {
          Update: {
            TableName: quotas.tableName,
            Key: key,
            UpdateExpression: 'SET bytes = :new, #at = :at',
            ConditionExpression: 'bytes = :old',
            ExpressionAttributeNames: { '#at': 'at' },
            ExpressionAttributeValues: { ':new': storedBytes, ':old': oldBytes, ':at': now.toISOString() },
          },
        },
    ...(oldBytes
      ? [
          {
            Put: {
              TableName: quotas.tableName,
              Item: {
                ownerId: upload.ownerId,
                entry: noncurrentEntry(keepUntil, replacedFileId),
                bytes: oldBytes,
                fileId: replacedFileId,
              },
              ConditionExpression: 'attribute_not_exists(entry)',
            },
          },
        ]
      : []),
  ];
}

/**
 * The quota side of removing a file, for a transaction that also removes its record: its
 * charge (or its reservation if it never settled) given back, each item conditioned on what
 * was read here, so a release by the validator meanwhile refuses the transaction (read again).
 */
export async function quotaReleaseItems(quotas: QuotaStore, ownerId: string, fileId: string): Promise<TransactItem[]> {
  const [usage, chargeItem] = await Promise.all([
    readUsageItem(quotas, ownerId),
    quotas.db.send(
      new GetCommand({
        TableName: quotas.tableName,
        Key: { ownerId, entry: chargeEntry(fileId) },
        ConsistentRead: true,
      }),
    ),
  ]);
  const reservation = usage?.open?.[fileId];
  const charged = (chargeItem.Item as { bytes?: number } | undefined)?.bytes;
  return [
    {
      Delete: {
        TableName: quotas.tableName,
        Key: { ownerId, entry: chargeEntry(fileId) },
        // Exactly the charge read above, or still none: a release by the validator meanwhile is seen.
        ...(charged === undefined
          ? { ConditionExpression: 'attribute_not_exists(entry)' }
          : { ConditionExpression: 'bytes = :bytes', ExpressionAttributeValues: { ':bytes': charged } }),
      },
    },
    ...(reservation || charged !== undefined
      ? [
          usageUpdate(quotas, ownerId, fileId, {
            ...(reservation ? { reservedBytes: reservation.bytes } : {}),
            usedBytes: -(charged ?? 0),
          }),
        ]
      : []),
  ];
}
