import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '#commons/cursor';
import { Invalid } from '#commons/errors';
import type { ListOrder } from '#contracts/api/drive';
import { filesTable, pageKeyAttributes } from '#contracts/tables';
import type { FileRecord, FilesStore } from '#domain/drive/file-records';
import type { FolderRecord } from '#domain/drive/folders';
import { listKeyOfFiles, listKeyOfFolders } from '#domain/drive/names';

const INDEX_OF_SORT = { name: 'byName', date: 'byDate', size: 'bySize' } as const;

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * One page of a folder's files or subfolders in the asked order, from the index for that
 * order. A cursor must come from the same folder and order: one made for another owner's
 * folder or another index is refused, never followed.
 */
export async function listFolderItems(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  what: 'files' | 'folders',
  page: ListOrder & { limit: number; cursor?: string | undefined },
  now = new Date(),
): Promise<{ items: (FileRecord | FolderRecord)[]; cursor?: string }> {
  const indexName = INDEX_OF_SORT[page.sort];
  const listKey = what === 'files' ? listKeyOfFiles(ownerId, folderId) : listKeyOfFolders(ownerId, folderId);
  const start = decodeCursor(page.cursor, ownerId, pageKeyAttributes(filesTable, indexName));
  if (start && start.listKey !== listKey) {
    throw new Invalid('invalid_cursor', 'The page cursor is not valid; start again without it.');
  }
  const { Items, LastEvaluatedKey } = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: indexName,
      KeyConditionExpression: 'listKey = :list',
      ExpressionAttributeValues: { ':list': listKey },
      ScanIndexForward: page.order === 'asc',
      Limit: page.limit,
      ExclusiveStartKey: start,
    }),
  );
  // Uploads that never arrived drop out once their TTL has passed, even before DynamoDB removes them.
  const live = ((Items ?? []) as (FileRecord | FolderRecord)[]).filter(
    (item) => !('ttl' in item && item.ttl !== undefined && item.ttl <= epochSeconds(now)),
  );
  return { items: live, ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey) as string } : {}) };
}
