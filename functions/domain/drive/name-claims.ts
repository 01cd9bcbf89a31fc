import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict } from '#commons/errors';
import type { TransactItem } from '#commons/transactions';
import type { FilesStore } from '#domain/drive/file-records';
import { claimIdOf, ROOT } from '#domain/drive/names';

/**
 * The writes that change names and places in an owner's drive. Every such change is one
 * DynamoDB transaction over the things it touches (the item, the name it leaves, the name it
 * takes, the folders it leaves and enters), each with a condition, so two racing changes
 * cannot both take a name or leave a folder deleted under a file.
 */

/** The transaction was refused because these items' conditions failed (indexes into the list). */
export class WriteRefused extends Error {
  constructor(readonly failed: readonly number[]) {
    super(`conditions failed at ${failed.join(', ')}`);
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Writes all items or none. A transaction that collided with another one on the same items
 * (no condition failed yet) is tried again a few times: its conditions are evaluated afresh,
 * so what the other one changed is seen, never overwritten.
 */
export async function writeTogether(store: FilesStore, items: TransactItem[], attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      const failed = reasons.flatMap((reason, index) => (reason.Code === 'ConditionalCheckFailed' ? [index] : []));
      if (failed.length > 0) throw new WriteRefused(failed);
      if (attempt >= attempts) {
        throw new Conflict('busy', 'Another change to the same items is under way. Try again.');
      }
      await pause(15 * attempt + Math.random() * 25);
    }
  }
}

/** What a name claim says: which file or folder holds the name in its folder. */
export interface NameClaim {
  readonly ownerId: string;
  readonly fileId: string;
  readonly folderId: string;
  readonly name: string;
  readonly holderKind: 'file' | 'folder';
  readonly holderId: string;
}

export const folderItemId = (folderId: string): string => `folder#${folderId}`;

export const nameTaken = (name: string) =>
  new Conflict('name_taken', `A file or folder named "${name}" already exists there (names ignore case).`);

/** Takes a name in a folder; refused if any file or folder already holds it, in any case. */
export function takeName(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  name: string,
  holder: { kind: 'file' | 'folder'; id: string },
): TransactItem {
  const claim: NameClaim = {
    ownerId,
    fileId: claimIdOf(folderId, name),
    folderId,
    name,
    holderKind: holder.kind,
    holderId: holder.id,
  };
  return {
    Put: { TableName: store.tableName, Item: claim, ConditionExpression: 'attribute_not_exists(fileId)' },
  };
}

/** Gives a name back; only its holder can. */
export function releaseName(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  name: string,
  holderId: string,
): TransactItem {
  return {
    Delete: {
      TableName: store.tableName,
      Key: { ownerId, fileId: claimIdOf(folderId, name) },
      ConditionExpression: 'holderId = :holder',
      ExpressionAttributeValues: { ':holder': holderId },
    },
  };
}

/** A change of case only (`report.pdf` to `Report.pdf`): the same claim, spelt anew. */
export function respellName(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  name: string,
  holderId: string,
): TransactItem {
  return {
    Update: {
      TableName: store.tableName,
      Key: { ownerId, fileId: claimIdOf(folderId, name) },
      UpdateExpression: 'SET #name = :name',
      ConditionExpression: 'holderId = :holder',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: { ':holder': holderId, ':name': name },
    },
  };
}

/**
 * Moves a holder's name from one place to another: one claim out, one in (or the same claim
 * respelt). The taking item is always the last one returned, so a refusal can name it.
 */
export function moveName(
  store: FilesStore,
  ownerId: string,
  from: { folderId: string; name: string },
  to: { folderId: string; name: string },
  holder: { kind: 'file' | 'folder'; id: string },
): TransactItem[] {
  if (claimIdOf(from.folderId, from.name) === claimIdOf(to.folderId, to.name)) {
    return [respellName(store, ownerId, to.folderId, to.name, holder.id)];
  }
  return [
    releaseName(store, ownerId, from.folderId, from.name, holder.id),
    takeName(store, ownerId, to.folderId, to.name, holder),
  ];
}

/**
 * One more or one fewer name in a folder. Entering requires the folder to exist (a folder
 * deleted meanwhile refuses the transaction); a folder is deleted only when its count is 0.
 * The top level has no item and no count.
 */
export function countInFolder(store: FilesStore, ownerId: string, folderId: string, delta: 1 | -1): TransactItem[] {
  if (folderId === ROOT) return [];
  return [
    {
      Update: {
        TableName: store.tableName,
        Key: { ownerId, fileId: folderItemId(folderId) },
        UpdateExpression: 'ADD children :delta',
        ConditionExpression: 'attribute_exists(fileId)',
        ExpressionAttributeValues: { ':delta': delta },
      },
    },
  ];
}

export async function getNameClaim(
  store: FilesStore,
  ownerId: string,
  folderId: string,
  name: string,
): Promise<NameClaim | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({
      TableName: store.tableName,
      Key: { ownerId, fileId: claimIdOf(folderId, name) },
      ConsistentRead: true,
    }),
  );
  return Item as NameClaim | undefined;
}
