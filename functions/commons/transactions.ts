import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** One item of a TransactWriteItems call: what each aggregate's item builders return and use cases compose. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException;

/** The transaction's reason codes, one per item, or undefined when it failed for another cause. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code);
}

/** Concurrent transactions on one item conflict instead of waiting: try again shortly. */
export async function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
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
