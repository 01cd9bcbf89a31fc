import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { decodeCursor, encodeCursor } from '#commons/cursor';
import { Gone, NotFound, Unauthorized } from '#commons/errors';
import { hashToken, linkIdOfToken, newLinkId, newLinkToken, tokenMatchesHash } from '#commons/ids';
import type { PdfActiveContentPolicy } from '#contracts/api/account';
import { limits } from '#contracts/limits';
import { linksTable, pageKeyAttributes } from '#contracts/tables';

const OWNER_INDEX = linksTable.globalIndexes[0].indexName;
const LINK_PAGE_KEY = pageKeyAttributes(linksTable, OWNER_INDEX);

export interface UploadLink {
  readonly linkId: string;
  readonly ownerId: string;
  readonly tokenHash: string;
  readonly label: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly expiresAtEpoch: number;
  readonly maxUploads: number;
  readonly usesTaken: number;
  readonly maxBytes: number;
  readonly allowedTypes: readonly string[];
  /** The link's own choice for PDFs with active content; absent: the owner's setting applies (read when a file arrives). */
  readonly pdfActiveContent?: PdfActiveContentPolicy;
  readonly revokedAt?: string;
  /**
   * Uses held by uploads signed and not yet arrived, by upload id. `usesTaken` counts held and
   * spent uses together, so the limit stays one comparison in a condition (as the quota's
   * `committedBytes` does). Bounded by `maxUploads` (at most 100).
   */
  readonly holds?: Readonly<Record<string, UseHold>>;
}

/** One use held for an upload: the file it was signed for, and when its URL stops working. */
export interface UseHold {
  /** Absent for a multipart upload that declared no whole-file digest: such a hold is never taken for a retry. */
  readonly sha256?: string;
  readonly size: number;
  readonly contentType: string;
  /**
   * Epoch seconds when the use was taken: a hold whose upload was never recorded is a request
   * that died on its way (see presign-upload.ts `resignHeld`). Absent on holds taken before it existed.
   */
  readonly heldAt?: number;
  /** Epoch seconds: the signed URL's expiry. */
  readonly until: number;
}

export type LinkState = 'active' | 'expired' | 'revoked' | 'used-up';

export interface LinksStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}

export interface NewLink {
  readonly label: string;
  readonly expiresInHours: number;
  readonly maxUploads: number;
  readonly maxBytes: number;
  readonly allowedTypes: readonly string[];
  readonly pdfActiveContent?: PdfActiveContentPolicy;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** Creates a link and returns its token: the only time the token exists outside the caller's hands. */
export async function createUploadLink(
  store: LinksStore,
  ownerId: string,
  input: NewLink,
  now = new Date(),
): Promise<{ link: UploadLink; token: string }> {
  const linkId = newLinkId();
  const token = newLinkToken(linkId);
  const expiresAt = new Date(now.getTime() + input.expiresInHours * 3_600_000);
  const link: UploadLink = {
    linkId,
    ownerId,
    tokenHash: hashToken(token),
    label: input.label,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    expiresAtEpoch: epochSeconds(expiresAt),
    maxUploads: input.maxUploads,
    usesTaken: 0,
    maxBytes: input.maxBytes,
    allowedTypes: [...input.allowedTypes],
    ...(input.pdfActiveContent ? { pdfActiveContent: input.pdfActiveContent } : {}),
    holds: {},
  };
  await store.db.send(
    new PutCommand({
      TableName: store.tableName,
      Item: { ...link, ttl: link.expiresAtEpoch + limits.link.keepAfterExpiryDays * 86_400 },
      ConditionExpression: 'attribute_not_exists(linkId)',
    }),
  );
  return { link, token };
}

/**
 * The state a link is in now. DynamoDB TTL deletes expired items lazily (up to ~48 h late),
 * so expiry is always compared here, never left to TTL.
 */
export function linkState(link: UploadLink, now = new Date()): LinkState {
  if (link.revokedAt) return 'revoked';
  if (link.expiresAtEpoch <= epochSeconds(now)) return 'expired';
  if (link.usesTaken >= link.maxUploads) return 'used-up';
  return 'active';
}

const STATE_ERRORS: Record<Exclude<LinkState, 'active'>, () => Gone> = {
  revoked: () => new Gone('link_revoked', 'This upload link was revoked by its owner.'),
  expired: () => new Gone('link_expired', 'This upload link has expired. Ask its owner for a new one.'),
  'used-up': () => new Gone('link_used_up', 'This upload link has no uploads left. Ask its owner for a new one.'),
};

export function assertLinkActive(link: UploadLink, now = new Date()): void {
  const state = linkState(link, now);
  if (state !== 'active') throw STATE_ERRORS[state]();
}

/**
 * Finds the link a token belongs to. A revoked link answers 410 here, for every route;
 * expiry and remaining uses are for each route to check (a client may still confirm an
 * upload it started before the link ran out).
 */
export async function authenticateLinkToken(store: LinksStore, token: string | undefined): Promise<UploadLink> {
  const invalid = new Unauthorized('invalid_link', 'This upload link is not valid. Check that you copied all of it.');
  const linkId = token ? linkIdOfToken(token) : undefined;
  if (!token || !linkId) throw invalid;
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { linkId }, ConsistentRead: true }),
  );
  const link = Item as UploadLink | undefined;
  if (!link || !tokenMatchesHash(token, link.tokenHash)) throw invalid;
  if (link.revokedAt) throw STATE_ERRORS.revoked();
  return link;
}

/**
 * The use a live upload of this very file already holds on the link (same size, type and
 * SHA-256, URL not expired): a client retrying it gets that upload back, not a second use.
 */
export function heldUploadOf(
  link: UploadLink,
  file: Pick<UseHold, 'sha256' | 'size' | 'contentType'>,
  now = new Date(),
): { fileId: string; hold: UseHold } | undefined {
  for (const [fileId, hold] of Object.entries(link.holds ?? {})) {
    if (
      hold.until > epochSeconds(now) &&
      file.sha256 !== undefined &&
      hold.sha256 === file.sha256 &&
      hold.size === file.size &&
      hold.contentType === file.contentType
    )
      return { fileId, hold };
  }
  return undefined;
}

const isMissingHoldsMap = (error: unknown): boolean =>
  (error as { name?: string }).name === 'ValidationException' &&
  /document path/i.test((error as { message?: string }).message ?? '');

/**
 * Holds one use of the link for an upload with a single conditional update, so clients racing
 * for the last use cannot both win. A refusal is explained from the item the failed condition
 * returns (used up, expired, revoked, gone): a loser costs this one call. Answers the upload
 * that already holds a use for the same file when a retry lost the race to itself.
 */
export async function holdLinkUse(
  store: LinksStore,
  linkId: string,
  fileId: string,
  hold: UseHold,
  now = new Date(),
): Promise<{ heldBy: 'this' } | { heldBy: 'earlier'; fileId: string; hold: UseHold }> {
  const take = () =>
    store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { linkId },
        UpdateExpression: 'SET usesTaken = usesTaken + :one, holds.#file = :hold',
        ConditionExpression:
          'attribute_exists(linkId) AND usesTaken < maxUploads AND expiresAtEpoch > :now AND attribute_not_exists(revokedAt)',
        ExpressionAttributeNames: { '#file': fileId },
        ExpressionAttributeValues: { ':one': 1, ':now': epochSeconds(now), ':hold': hold },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  try {
    try {
      await take();
    } catch (error) {
      if (!isMissingHoldsMap(error)) throw error;
      // A link made before holds existed: give it the map, then take the use.
      await store.db.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { linkId },
          UpdateExpression: 'SET holds = if_not_exists(holds, :empty)',
          ConditionExpression: 'attribute_exists(linkId)',
          ExpressionAttributeValues: { ':empty': {} },
        }),
      );
      await take();
    }
    return { heldBy: 'this' };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (!error.Item) throw new NotFound('link_not_found', 'This upload link no longer exists.');
    const link = unmarshall(error.Item) as UploadLink;
    // The SDK retried an update that had committed but answered late (a call timeout): the hold is ours.
    if (link.holds?.[fileId]) return { heldBy: 'this' };
    const earlier = heldUploadOf(link, hold, now);
    if (earlier) return { heldBy: 'earlier', ...earlier };
    assertLinkActive(link, now);
    throw STATE_ERRORS['used-up']();
  }
}

/**
 * The update that gives a held use back (the upload never arrived: abandoned, expired, or
 * could not be signed), conditioned on the hold still being there so a use is returned once.
 */
export function giveBackHoldItem(store: LinksStore, linkId: string, fileId: string) {
  return {
    Update: {
      TableName: store.tableName,
      Key: { linkId },
      UpdateExpression: 'SET usesTaken = usesTaken - :one REMOVE holds.#file',
      ConditionExpression: 'attribute_exists(holds.#file)',
      ExpressionAttributeNames: { '#file': fileId },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/**
 * The update that spends a held use (the file arrived and settled): the hold goes, the use
 * stays counted. Conditioned on the hold, so a link whose use was taken before holds existed
 * (or that is gone) is not touched; the settling transaction then runs without it.
 */
export function spendHoldItem(store: LinksStore, linkId: string, fileId: string) {
  return {
    Update: {
      TableName: store.tableName,
      Key: { linkId },
      UpdateExpression: 'REMOVE holds.#file',
      ConditionExpression: 'attribute_exists(holds.#file)',
      ExpressionAttributeNames: { '#file': fileId },
    },
  };
}

/**
 * A release's link item: the held use is spent, and the release happens only while the link
 * is not revoked, decided in the releasing transaction itself. Without a hold to spend, a
 * condition check alone (a link gone entirely passes it: nothing revoked it).
 */
export function releaseGuardItem(store: LinksStore, linkId: string, fileId: string, withHold: boolean) {
  if (!withHold) {
    return {
      ConditionCheck: {
        TableName: store.tableName,
        Key: { linkId },
        ConditionExpression: 'attribute_not_exists(revokedAt)',
      },
    };
  }
  const spend = spendHoldItem(store, linkId, fileId).Update;
  return {
    Update: { ...spend, ConditionExpression: `${spend.ConditionExpression} AND attribute_not_exists(revokedAt)` },
  };
}

/** The link's own policy for PDFs with active content, if it chose one (a deleted link chose none). */
export async function linkPdfPolicy(store: LinksStore, linkId: string): Promise<PdfActiveContentPolicy | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { linkId }, ProjectionExpression: 'pdfActiveContent' }),
  );
  return (Item as Pick<UploadLink, 'pdfActiveContent'> | undefined)?.pdfActiveContent;
}

/** Whether the link was revoked (read afresh): a refused release guard is told apart from a missing hold by it. */
export async function isLinkRevoked(store: LinksStore, linkId: string): Promise<boolean> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { linkId }, ConsistentRead: true }),
  );
  return Boolean((Item as UploadLink | undefined)?.revokedAt);
}

/** Gives back a use held for an upload that could not be started; false when it was not held. */
export async function giveBackLinkHold(store: LinksStore, linkId: string, fileId: string): Promise<boolean> {
  try {
    await store.db.send(new UpdateCommand(giveBackHoldItem(store, linkId, fileId).Update));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function listUploadLinks(
  store: LinksStore,
  ownerId: string,
  page: { limit: number; cursor?: string },
): Promise<{ links: UploadLink[]; cursor?: string }> {
  const { Items, LastEvaluatedKey } = await store.db.send(
    new QueryCommand({
      TableName: store.tableName,
      IndexName: OWNER_INDEX,
      KeyConditionExpression: 'ownerId = :owner',
      ExpressionAttributeValues: { ':owner': ownerId },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, ownerId, LINK_PAGE_KEY),
    }),
  );
  return { links: (Items ?? []) as UploadLink[], cursor: encodeCursor(LastEvaluatedKey) };
}

/** Revokes a link of this owner; revoking twice is fine, another owner's link is not found. */
export async function revokeUploadLink(
  store: LinksStore,
  ownerId: string,
  linkId: string,
  now = new Date(),
): Promise<void> {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { linkId },
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'ownerId = :owner',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':owner': ownerId },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new NotFound('link_not_found', 'No such upload link.');
    throw error;
  }
}

/** What an owner sees of a link: never the token or its hash. */
export function describeLinkForOwner(link: UploadLink, now = new Date()) {
  return {
    linkId: link.linkId,
    label: link.label,
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    maxUploads: link.maxUploads,
    usesTaken: link.usesTaken,
    // Of those, uses held by uploads signed and not yet arrived: given back if never sent.
    usesInFlight: Object.keys(link.holds ?? {}).length,
    uploadsLeft: Math.max(0, link.maxUploads - link.usesTaken),
    maxBytes: link.maxBytes,
    allowedTypes: link.allowedTypes,
    revoked: link.revokedAt !== undefined,
    state: linkState(link, now),
    ...(link.pdfActiveContent ? { pdfActiveContent: link.pdfActiveContent } : {}),
  };
}

/** The drop page's URL for a token: the token rides in the fragment, which browsers never send to a server or a log. */
export const linkUrl = (webBaseUrl: string, token: string): string => `${webBaseUrl}/u/#${token}`;

/** What the owner gets back when a link is made: the only answer that holds its token. */
export function describeNewLink(link: UploadLink, token: string, webBaseUrl: string) {
  return {
    linkId: link.linkId,
    label: link.label,
    token,
    url: linkUrl(webBaseUrl, token),
    expiresAt: link.expiresAt,
    maxUploads: link.maxUploads,
    maxBytes: link.maxBytes,
    allowedTypes: link.allowedTypes,
  };
}

/** What a client holding an active link may send, so the drop page can say so before any upload. */
export function describeLinkForClient(link: UploadLink, now = new Date()) {
  assertLinkActive(link, now);
  return {
    label: link.label,
    uploadsLeft: link.maxUploads - link.usesTaken,
    maxBytes: link.maxBytes,
    allowedTypes: link.allowedTypes,
    expiresAt: link.expiresAt,
  };
}
