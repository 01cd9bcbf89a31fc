import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Conflict, TooLarge } from '#commons/errors';
import { limits } from '#contracts/limits';
import type { FileRecord, FilesStore, SettleOutcome } from '#domain/drive/file-records';
import { settleFileUpdate } from '#domain/drive/file-records';

/**
 * Storage quotas. Per owner, one `usage` item holds the bytes used by released files, the
 * bytes reserved by signed uploads that have not settled, their sum (`committedBytes`, so that
 * the limit is one comparison in a condition: DynamoDB conditions cannot add), and the open
 * reservations themselves (`open`, fileId -> bytes and expiry). Each released file has a
 * `charge#<fileId>` item with the bytes it counts, so that a delete gives back exactly those.
 *
 * Every change is conditional on the state it moves from (a reservation still open, a file
 * still pending, a charge still there), and the changes that belong together are one
 * transaction, so repeated or reordered events, and a delete racing the validator, count
 * each byte once.
 *
 * Expired reservations (uploads signed and never sent) are given back lazily: before every
 * reservation and every usage report, which are the only moments anyone looks at the number.
 * That needs no scheduler, costs nothing idle, and never depends on DynamoDB TTL, which
 * deletes late (up to ~48 h).
 */
export interface QuotaStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface Usage {
  readonly usedBytes: number;
  readonly reservedBytes: number;
  readonly limitBytes: number;
  readonly availableBytes: number;
}

interface Reservation {
  readonly bytes: number;
  /** Epoch seconds after which the reservation is given back. */
  readonly until: number;
}

interface UsageItem {
  readonly usedBytes?: number;
  readonly reservedBytes?: number;
  readonly committedBytes?: number;
  readonly open?: Record<string, Reservation>;
}

const USAGE = 'usage';
const chargeEntry = (fileId: string) => `charge#${fileId}`;
/** Replaced content still stored as a noncurrent version, counted until the date in its entry (ISO, so entries sort by it). */
const NONCURRENT = 'noncurrent#';
const noncurrentEntry = (until: Date, fileId: string) => `${NONCURRENT}${until.toISOString()}#${fileId}`;
const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

async function readUsageItem(store: QuotaStore, ownerId: string): Promise<UsageItem | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { ownerId, entry: USAGE }, ConsistentRead: true }),
  );
  return Item as UsageItem | undefined;
}

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

/** The transaction's reason codes, one per item, or undefined when it failed for another cause. */
function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}

/** Concurrent transactions on one usage item conflict instead of waiting: try again shortly. */
async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      const conflict =
        error instanceof TransactionConflictException ||
        (cancellationCodes(error)?.includes('TransactionConflict') ?? false);
      if (!conflict || tries >= 8) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** tries * Math.random()));
    }
  }
}

function describeUsage(item: UsageItem | undefined, limitBytes: number): Usage {
  const usedBytes = item?.usedBytes ?? 0;
  const reservedBytes = item?.reservedBytes ?? 0;
  return {
    usedBytes,
    reservedBytes,
    limitBytes,
    availableBytes: Math.max(0, limitBytes - usedBytes - reservedBytes),
  };
}

/** Gives one reservation back, if it is still open with these bytes and expiry; false when it was not. */
async function releaseOpenReservation(
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
async function releaseExpired(store: QuotaStore, ownerId: string, item: UsageItem | undefined, now: Date) {
  await Promise.all([
    releaseExpiredReservations(store, ownerId, item, now),
    releaseExpiredNoncurrent(store, ownerId, now),
  ]);
}

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
    const usage = describeUsage(await readUsageItem(store, ownerId), limitBytes);
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

/** The usage change for a settled upload: its reservation closed, and for a released file the bytes it really takes. */
function usageUpdate(
  store: QuotaStore,
  ownerId: string,
  fileId: string,
  change: { reservedBytes?: number; usedBytes?: number },
) {
  const reserved = change.reservedBytes ?? 0;
  const used = change.usedBytes ?? 0;
  return {
    Update: {
      TableName: store.tableName,
      Key: { ownerId, entry: USAGE },
      UpdateExpression: `${reserved ? 'REMOVE #open.#file ' : ''}ADD usedBytes :used, reservedBytes :reserved, committedBytes :committed`,
      ...(reserved
        ? {
            ConditionExpression: '#open.#file.bytes = :bytes',
            ExpressionAttributeNames: { '#open': 'open', '#file': fileId },
          }
        : {}),
      ExpressionAttributeValues: {
        ':used': used,
        ':reserved': -reserved,
        ':committed': used - reserved,
        ...(reserved ? { ':bytes': reserved } : {}),
      },
    },
  };
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

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
 * Settles a pending upload and its quota in one transaction: the reservation is closed and,
 * for a released file, the bytes actually stored (an image's cleaned size) become used. Only a
 * pending record moves, so a repeated or late event changes nothing (false). If the
 * reservation was already given back (it expired before the upload arrived), the released
 * bytes are still counted: they are stored.
 */
export async function settleUploadAndQuota(
  files: FilesStore,
  quotas: QuotaStore,
  file: FileRecord,
  outcome: SettleOutcome,
  now = new Date(),
): Promise<boolean> {
  const stored = outcome.status === 'clean' ? (outcome.image?.size ?? file.size) : 0;
  const transaction = (withReservation: boolean): TransactWriteCommandInput => ({
    TransactItems: [
      { Update: settleFileUpdate(files, file.ownerId, file.fileId, outcome, now) },
      ...settlementQuotaItems(quotas, file, stored, withReservation, now),
    ],
  });
  for (const withReservation of [true, false]) {
    try {
      await retryingConflicts(() => quotas.db.send(new TransactWriteCommand(transaction(withReservation))));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      // The record is no longer pending (settled by another delivery, or deleted).
      if (codes[0] === 'ConditionalCheckFailed') return false;
      if (!(withReservation && codes[1] === 'ConditionalCheckFailed')) throw error;
    }
  }
  return false;
}

/**
 * Removes a file's record and gives back what it counted (its charge, or its reservation if
 * it never settled) in one transaction, so a delete racing the validator leaves the usage
 * right whichever goes first: each attempt is conditional on the charge and reservation it read.
 */
export async function deleteRecordAndReleaseQuota(
  files: FilesStore,
  quotas: QuotaStore,
  ownerId: string,
  fileId: string,
): Promise<void> {
  for (let tries = 1; ; tries++) {
    const transaction: TransactWriteCommandInput = {
      TransactItems: [
        { Delete: { TableName: files.tableName, Key: { ownerId, fileId } } },
        ...(await quotaReleaseItems(quotas, ownerId, fileId)),
      ],
    };
    try {
      await retryingConflicts(() => quotas.db.send(new TransactWriteCommand(transaction)));
      return;
    } catch (error) {
      if (!cancellationCodes(error)?.includes('ConditionalCheckFailed') || tries >= 5) throw error;
    }
  }
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
