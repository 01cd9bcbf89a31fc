import { createHash } from 'node:crypto';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '#commons/cursor';
import { NotFound } from '#commons/errors';
import type { ShareRole } from '#contracts/api/sharing';
import { pageKeyAttributes, sharesTable } from '#contracts/tables';

export interface SharesStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** A file or folder of one owner, shared with one other user. */
export interface ShareRecord {
  readonly shareId: string;
  readonly ownerId: string;
  readonly granteeId: string;
  readonly granteeEmail: string;
  readonly targetKind: 'file' | 'folder';
  readonly targetId: string;
  readonly role: ShareRole;
  readonly createdAt: string;
}

/** One share per owner, target and grantee: sharing again changes the role. */
export const shareIdOf = (ownerId: string, targetKind: string, targetId: string, granteeId: string): string =>
  createHash('sha256').update(`${ownerId}\n${targetKind}\n${targetId}\n${granteeId}`).digest('base64url').slice(0, 32);

export async function putShare(
  store: SharesStore,
  share: Omit<ShareRecord, 'shareId' | 'createdAt'>,
  now = new Date(),
): Promise<ShareRecord> {
  const record: ShareRecord = {
    ...share,
    shareId: shareIdOf(share.ownerId, share.targetKind, share.targetId, share.granteeId),
    createdAt: now.toISOString(),
  };
  await store.db.send(new PutCommand({ TableName: store.tableName, Item: record }));
  return record;
}

/** Ends a share at once: the next request of its grantee finds nothing. Another owner's share answers 404. */
export async function removeOwnedShare(store: SharesStore, ownerId: string, shareId: string): Promise<ShareRecord> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { shareId }, ConsistentRead: true }),
  );
  if (!Item || Item.ownerId !== ownerId) throw new NotFound('share_not_found', 'No such share.');
  await store.db.send(new DeleteCommand({ TableName: store.tableName, Key: { shareId } }));
  return Item as ShareRecord;
}

/** Which share a sharee's upload came through, and whose it was. */
export interface ShareUsed {
  readonly shareId: string;
  readonly granteeId: string;
}

/**
 * The releasing transaction's check that the share a sharee uploaded through still gives
 * them `edit`: a revoke (the item deleted) or a change to `view` refuses the release.
 */
export const shareStandsItem = (store: SharesStore, used: ShareUsed) => ({
  ConditionCheck: {
    TableName: store.tableName,
    Key: { shareId: used.shareId },
    ConditionExpression: 'granteeId = :grantee AND #role = :edit',
    ExpressionAttributeNames: { '#role': 'role' },
    ExpressionAttributeValues: { ':grantee': used.granteeId, ':edit': 'edit' },
  },
});

/** Whether that share still gives its grantee `edit`, read afresh. */
export async function shareStands(store: SharesStore, used: ShareUsed): Promise<boolean> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { shareId: used.shareId }, ConsistentRead: true }),
  );
  return Item?.granteeId === used.granteeId && Item?.role === 'edit';
}

/**
 * Every share granted to a user, read afresh on each request (a revoke must end access at
 * once, so nothing is cached). Bounded: a user holds at most this many shares' worth of reads.
 */
export async function sharesGrantedTo(store: SharesStore, granteeId: string): Promise<ShareRecord[]> {
  const shares: ShareRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await store.db.send(
      new QueryCommand({
        TableName: store.tableName,
        IndexName: 'byGrantee',
        KeyConditionExpression: 'granteeId = :grantee',
        ExpressionAttributeValues: { ':grantee': granteeId },
        ExclusiveStartKey: start,
      }),
    );
    shares.push(...((page.Items ?? []) as ShareRecord[]));
    start = page.LastEvaluatedKey;
  } while (start && shares.length < 1000);
  return shares;
}

/** One page of shares, by owner (what I shared) or by grantee (what is shared with me), newest first. */
export async function listShares(
  store: SharesStore,
  by: { ownerId: string } | { granteeId: string },
  page: { limit: number; cursor?: string | undefined },
): Promise<{ shares: ShareRecord[]; cursor?: string }> {
  const [indexName, attribute, value] =
    'ownerId' in by
      ? (['byOwner', 'ownerId', by.ownerId] as const)
      : (['byGrantee', 'granteeId', by.granteeId] as const);
  const start = decodeCursor(page.cursor, value, pageKeyAttributes(sharesTable, indexName), attribute);
  const { Items, LastEvaluatedKey } = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: indexName,
      KeyConditionExpression: `${attribute} = :value`,
      ExpressionAttributeValues: { ':value': value },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: start,
    }),
  );
  return {
    shares: (Items ?? []) as ShareRecord[],
    ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) as string } : {}),
  };
}

export function describeShare(share: ShareRecord) {
  return {
    shareId: share.shareId,
    targetKind: share.targetKind,
    targetId: share.targetId,
    role: share.role,
    granteeEmail: share.granteeEmail,
    createdAt: share.createdAt,
  };
}
