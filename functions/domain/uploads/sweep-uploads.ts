import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logger } from '#commons/logger';
import { incomingKey } from '#contracts/bucket';
import { type filesTable, PENDING_SWEEP } from '#contracts/tables';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import type { FileRecord } from '#domain/drive/file-records';
import { expireHold } from '#domain/drive/held-files';
import { type GiveBackDeps, giveBackUpload } from '#domain/uploads/give-back';
import { closeUnarrived } from '#domain/uploads/multipart-uploads';
import { arrivedAt, inStorageSince, type Revalidation, type StorageDeps } from '#domain/uploads/uploads';

const PENDING_INDEX = 'pendingByUrlExpiry' satisfies (typeof filesTable.globalIndexes)[number]['indexName'];

/** Asks the validator to run on one incoming object, as its S3 event would have (see commons/validation-requests.ts). */
export type RequestValidation = (key: string) => Promise<void>;

export interface SweepDeps extends GiveBackDeps, Revalidation {
  readonly storage: StorageDeps;
  readonly audit: AuditLog;
  /** How long after its URL expired an unsent upload is given up (`UPLOAD_GRACE_SECONDS`): S3 lets a PUT begun in time finish. */
  readonly graceSeconds: number;
}

export interface SweepReport {
  /** Signed, never sent (or a multipart upload never completed), time and grace past: given up, with their bytes and link uses. */
  readonly expired: number;
  /** Arrived, yet still pending a minute later (the validator's event was lost or failed): validation asked again. */
  readonly revalidated: number;
  /** Still within their time (held files too, within their quarantine days). */
  readonly waiting: number;
  /** Held for review and never released or discarded by their owner: given up when their quarantine days ended. */
  readonly heldExpired: number;
}

/** Every pending upload, oldest URL expiry first, from the sparse index (settled ones are not in it), a page at a time. */
async function* pendingUploads(deps: SweepDeps): AsyncGenerator<FileRecord> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await deps.files.db.send(
      new QueryCommand({
        TableName: deps.files.tableName,
        IndexName: PENDING_INDEX,
        KeyConditionExpression: 'pendingSweep = :pending',
        ExpressionAttributeValues: { ':pending': PENDING_SWEEP },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    yield* (page.Items ?? []) as FileRecord[];
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Gives up one upload that was never sent, and records it in its owner's trail. */
export async function expireUpload(
  deps: SweepDeps,
  origin: AuditOrigin,
  file: FileRecord,
  now: Date,
): Promise<boolean> {
  if (!(await giveBackUpload(deps, file, 'expired', now))) return false;
  await recordAudit(deps.audit, origin, {
    ownerId: file.ownerId,
    action: 'upload.expire',
    objectId: file.fileId,
    outcome: 'given-back',
  });
  return true;
}

/**
 * Nothing stays pending for ever. Each pending upload is either still within its time, or
 * arrived and lost its event (validation is asked again: every step of it is safe to repeat),
 * or was never sent and its URL and grace are past (given up, with what it held). Run on a
 * schedule in the cloud and periodically by the local system.
 */
export async function sweepUploads(deps: SweepDeps, origin: AuditOrigin, now = new Date()): Promise<SweepReport> {
  const report = { expired: 0, revalidated: 0, waiting: 0, heldExpired: 0 };
  for await (const file of pendingUploads(deps)) {
    // A held file stays in the index for this: once its quarantine is over it is given up.
    if (file.status === 'held') {
      if ((file.heldUntil ?? 0) * 1000 <= now.getTime() && (await expireHold(deps, origin, file, now)))
        report.heldExpired += 1;
      else report.waiting += 1;
      continue;
    }
    const arrived = await arrivedAt(deps.storage, incomingKey(file.ownerId, file.fileId));
    if (arrived) {
      if (now.getTime() - inStorageSince(file, arrived).getTime() < deps.lostEventAfterMs) report.waiting += 1;
      else {
        await deps.requestValidation(incomingKey(file.ownerId, file.fileId));
        report.revalidated += 1;
      }
      continue;
    }
    const givenUpAt = ((file.uploadUntil ?? 0) + deps.graceSeconds) * 1000;
    if (file.uploadUntil === undefined || now.getTime() < givenUpAt) report.waiting += 1;
    // A multipart upload past its time is aborted first; a complete that won the race is the validator's.
    else if (file.multipart && !(await closeUnarrived(deps.storage, file))) report.waiting += 1;
    else if (await expireUpload(deps, origin, file, now)) report.expired += 1;
  }
  if (report.expired || report.revalidated || report.heldExpired) logger.info('uploads swept', report);
  return report;
}
