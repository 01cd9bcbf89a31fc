import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor } from '#commons/cursor';
import { newFileId } from '#commons/ids';
import type { AuditAction } from '#contracts/api/account';
import { auditTable, pageKeyAttributes } from '#contracts/tables';
import { countAuditedFact } from './audit-metrics';

const AUDIT_PAGE_KEY = pageKeyAttributes(auditTable);

export type { AuditAction };

export interface AuditEntry {
  readonly ownerId: string;
  readonly action: AuditAction;
  /** `user:<sub>`, `link:<linkId>` or `system:validator`. Never a token. */
  readonly actor: string;
  readonly objectId: string;
  readonly outcome: string;
  /** The API request id, or for the validator the Lambda request id of its invocation. */
  readonly requestId?: string;
  /** The caller's address; for the validator, the address that sent the upload to S3. */
  readonly sourceIp?: string;
}

/** Where the trail is kept and for how long (`AUDIT_RETENTION_DAYS`: each entry's TTL). */
export interface AuditLog {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly retentionDays: number;
}

/**
 * Who acted and from where: filled once per request by the HTTP wrapper (or per validator
 * invocation), so a use case states only what happened.
 */
export type AuditOrigin = Pick<AuditEntry, 'actor' | 'requestId' | 'sourceIp'>;

/** What happened, as a use case states it. */
export type AuditFact = Omit<AuditEntry, keyof AuditOrigin>;

/** Appends one line to the owner's trail; ids are time-ordered so the trail reads newest first. */
export async function recordAudit(
  log: AuditLog,
  origin: AuditOrigin,
  fact: AuditFact,
  now = new Date(),
): Promise<void> {
  await log.db.send(
    new PutCommand({
      TableName: log.tableName,
      Item: {
        ...fact,
        ...origin,
        eventId: newFileId(now.getTime()),
        at: now.toISOString(),
        ttl: Math.floor(now.getTime() / 1000) + log.retentionDays * 86_400,
      },
    }),
  );
  countAuditedFact(origin, fact);
}

interface StoredAuditEntry extends AuditEntry {
  readonly eventId: string;
  readonly at: string;
  readonly ttl?: number;
}

/** What an owner sees of one line of their trail. */
export function describeAuditEntry(entry: StoredAuditEntry) {
  return {
    eventId: entry.eventId,
    at: entry.at,
    action: entry.action,
    actor: entry.actor,
    objectId: entry.objectId,
    outcome: entry.outcome,
    ...(entry.requestId ? { requestId: entry.requestId } : {}),
    ...(entry.sourceIp ? { sourceIp: entry.sourceIp } : {}),
  };
}

/**
 * The owner's own trail, newest first. The partition is the owner, so no page can hold
 * another owner's entries, and a cursor naming another partition is refused. Entries past
 * their retention are left out even before TTL removes them.
 */
export async function listAuditTrail(
  log: Pick<AuditLog, 'db' | 'tableName'>,
  ownerId: string,
  page: { limit: number; cursor?: string },
  now = new Date(),
): Promise<{ entries: ReturnType<typeof describeAuditEntry>[]; cursor?: string }> {
  const { Items, LastEvaluatedKey } = await log.db.send(
    new QueryCommand({
      TableName: log.tableName,
      KeyConditionExpression: 'ownerId = :owner',
      ExpressionAttributeValues: { ':owner': ownerId },
      ScanIndexForward: false,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, ownerId, AUDIT_PAGE_KEY),
    }),
  );
  const live = ((Items ?? []) as StoredAuditEntry[]).filter(
    (entry) => entry.ttl === undefined || entry.ttl > Math.floor(now.getTime() / 1000),
  );
  return { entries: live.map(describeAuditEntry), cursor: encodeCursor(LastEvaluatedKey) };
}
