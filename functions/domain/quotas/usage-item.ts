import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

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

export interface Reservation {
  readonly bytes: number;
  /** Epoch seconds after which the reservation is given back. */
  readonly until: number;
}

export interface UsageItem {
  readonly usedBytes?: number;
  readonly reservedBytes?: number;
  readonly committedBytes?: number;
  readonly open?: Record<string, Reservation>;
}

export const USAGE = 'usage';
export const chargeEntry = (fileId: string) => `charge#${fileId}`;
/** Replaced content still stored as a noncurrent version, counted until the date in its entry (ISO, so entries sort by it). */
export const NONCURRENT = 'noncurrent#';
export const noncurrentEntry = (until: Date, fileId: string) => `${NONCURRENT}${until.toISOString()}#${fileId}`;
export const epochSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function readUsageItem(store: QuotaStore, ownerId: string): Promise<UsageItem | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { ownerId, entry: USAGE }, ConsistentRead: true }),
  );
  return Item as UsageItem | undefined;
}

export function describeUsage(item: UsageItem | undefined, limitBytes: number): Usage {
  const usedBytes = item?.usedBytes ?? 0;
  const reservedBytes = item?.reservedBytes ?? 0;
  return {
    usedBytes,
    reservedBytes,
    limitBytes,
    availableBytes: Math.max(0, limitBytes - usedBytes - reservedBytes),
  };
}

/** The usage change for a settled upload: its reservation closed, and for a released file the bytes it really takes. */
export function usageUpdate(
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
