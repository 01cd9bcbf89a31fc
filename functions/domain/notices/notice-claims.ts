import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';

export interface NoticesStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface ClaimKey {
  readonly pk: string;
  readonly sk: string;
}

/**
 * A claim taken by a delivery that then died is taken over after this long: longer than the
 * sender's timeout (60 s), shorter than the queue's visibility timeout, so the redelivery after
 * a crash finds it stale and sends.
 */
export const CLAIM_LEASE_SECONDS = 120;
/** Claims outlive every redelivery and repeated validation by far; then TTL removes them. */
const CLAIM_DAYS = 14;

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** `claimed`: this delivery sends; `sent`: an earlier one did; `busy`: another is sending now. */
export type ClaimOutcome = 'claimed' | 'sent' | 'busy';

/** Claims the right to send once: a conditional write that only a first (or a stale claim's) delivery wins. */
export async function claimSend(store: NoticesStore, key: ClaimKey, now = new Date()): Promise<ClaimOutcome> {
  try {
    await store.db.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          ...key,
          state: 'sending',
          claimedAt: epochSeconds(now),
          ttl: epochSeconds(now) + CLAIM_DAYS * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :sending AND claimedAt < :stale)',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending', ':stale': epochSeconds(now) - CLAIM_LEASE_SECONDS },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await store.db.send(new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }));
  return Item?.state === 'sent' ? 'sent' : 'busy';
}

/** The send went out: later deliveries of the same notice find it done. */
export async function markSent(store: NoticesStore, key: ClaimKey, now = new Date()): Promise<void> {
  await store.db.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: key,
      UpdateExpression: 'SET #state = :sent, sentAt = :now',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':sent': 'sent', ':now': now.toISOString() },
    }),
  );
}

/** A failed send gives its claim back, so the redelivery sends; a claim already sent is left alone. */
export async function giveBackClaim(store: NoticesStore, key: ClaimKey): Promise<void> {
  try {
    await store.db.send(
      new DeleteCommand({
        TableName: store.tableName,
        Key: key,
        ConditionExpression: '#state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':sending': 'sending' },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Runs `send` under the claim: given back if it fails, marked sent if it succeeds. */
export async function sendOnce(
  store: NoticesStore,
  key: ClaimKey,
  send: () => Promise<void>,
  now = new Date(),
): Promise<ClaimOutcome> {
  const claim = await claimSend(store, key, now);
  if (claim !== 'claimed') return claim;
  try {
    await send();
  } catch (error) {
    await giveBackClaim(store, key);
    throw error;
  }
  // A crash here leaves the claim `sending`: after its lease a redelivery sends again. A rare
  // second e-mail rather than a lost one.
  await markSent(store, key);
  return 'claimed';
}
