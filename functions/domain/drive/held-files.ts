import { CopyObjectCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Gone, NotFound } from '#commons/errors';
import { cancellationCodes, type TransactItem } from '#commons/transactions';
import { incomingKey, quarantineKey } from '#contracts/bucket';
import { limits } from '#contracts/limits';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { describeFile, type FileRecord, type FilesStore, getFile } from '#domain/drive/file-records';
import { chargeEntry, epochSeconds, type QuotaStore, USAGE } from '#domain/quotas/usage-item';
import { objectExists, type StorageDeps } from '#domain/uploads/uploads';

export interface HeldFileDeps extends StorageDeps {
  readonly quotas: QuotaStore;
  readonly audit: AuditLog;
}

/**
 * The quota side of a held file leaving its hold: its charge removed and its bytes no longer
 * used; `reopen` turns them back into an open reservation (a release settles it as any upload).
 */
function holdQuotaItems(quotas: QuotaStore, file: FileRecord, reopen: { until: number } | undefined): TransactItem[] {
  const charge: TransactItem = {
    Delete: {
      TableName: quotas.tableName,
      Key: { ownerId: file.ownerId, entry: chargeEntry(file.fileId) },
      ConditionExpression: 'bytes = :bytes',
      ExpressionAttributeValues: { ':bytes': file.size },
    },
  };
  const usage: TransactItem = {
    Update: {
      TableName: quotas.tableName,
      Key: { ownerId: file.ownerId, entry: USAGE },
      UpdateExpression: reopen
        ? 'SET #open.#file = :reservation ADD usedBytes :minus, reservedBytes :bytes'
        : 'ADD usedBytes :minus, committedBytes :minus',
      ...(reopen ? { ExpressionAttributeNames: { '#open': 'open', '#file': file.fileId } } : {}),
      ExpressionAttributeValues: {
        ':minus': -file.size,
        ...(reopen ? { ':bytes': file.size, ':reservation': { bytes: file.size, until: reopen.until } } : {}),
      },
    },
  };
  return [charge, usage];
}

async function heldFile(files: FilesStore, ownerId: string, fileId: string, now: Date): Promise<FileRecord> {
  const file = await getFile(files, ownerId, fileId);
  if (!file || file.purpose) throw new NotFound('file_not_found', 'There is no such file.');
  if (file.status !== 'held') throw new Conflict('not_held', `This file is ${file.status}, not held for review.`);
  if ((file.heldUntil ?? 0) <= epochSeconds(now)) throw holdExpired();
  return file;
}

const holdExpired = () =>
  new Gone('hold_expired', 'This file was held longer than its quarantine keeps files, and its bytes are gone.');

/**
 * The owner takes the risk of a file the scan could not decide on: it becomes pending again
 * (marked released by its owner, so the validator does not wait for a scan), its bytes are
 * reserved again, and they go back to `incoming/`, whose ObjectCreated event (or the sweep)
 * runs the ordinary release: type check, name, folder, image cleaning, release tag.
 */
export async function releaseHeldFile(
  deps: HeldFileDeps,
  origin: AuditOrigin,
  ownerId: string,
  fileId: string,
  now = new Date(),
): Promise<ReturnType<typeof describeFile>> {
  const file = await heldFile(deps.files, ownerId, fileId, now);
  const quarantined = quarantineKey(ownerId, fileId);
  if (!(await objectExists(deps, quarantined))) throw holdExpired();
  // If the copy back never lands, the sweep gives the upload up after this, as any unsent one.
  const uploadUntil = epochSeconds(now) + limits.uploadUrlSeconds;
  const record: TransactItem = {
    Update: {
      TableName: deps.files.tableName,
      Key: { ownerId, fileId },
      UpdateExpression:
        'SET #status = :pending, ownerReleased = :yes, uploadUntil = :until REMOVE reason, heldUntil, validatedAt',
      ConditionExpression: '#status = :held',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending', ':held': 'held', ':yes': true, ':until': uploadUntil },
    },
  };
  const reopen = { until: uploadUntil + limits.quota.reservationGraceSeconds };
  await transact(deps, [record, ...holdQuotaItems(deps.quotas, file, reopen)]);
  await deps.s3.send(
    new CopyObjectCommand({
      Bucket: deps.bucket,
      Key: incomingKey(ownerId, fileId),
      CopySource: `${deps.bucket}/${quarantined}`,
      MetadataDirective: 'COPY',
    }),
  );
  await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: quarantined }));
  await recordAudit(deps.audit, origin, { ownerId, action: 'file.release', objectId: fileId, outcome: 'pending' });
  const { reason: _heldBecause, ...released } = file;
  return describeFile({ ...released, status: 'pending' });
}

/**
 * A held file its owner never acted on, once its quarantine days are over: it is given up
 * (shown as expired for a day) and its bytes leave the quota; the lifecycle rule removes them.
 */
export async function expireHold(
  deps: Pick<HeldFileDeps, 'files' | 'quotas' | 'audit'>,
  origin: AuditOrigin,
  file: FileRecord,
  now: Date,
): Promise<boolean> {
  const record: TransactItem = {
    Update: {
      TableName: deps.files.tableName,
      Key: { ownerId: file.ownerId, fileId: file.fileId },
      UpdateExpression: 'SET #status = :expired, expiredAt = :now, #ttl = :ttl REMOVE pendingSweep, heldUntil',
      ConditionExpression: '#status = :held',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':expired': 'expired',
        ':held': 'held',
        ':now': now.toISOString(),
        ':ttl': epochSeconds(now) + 86_400,
      },
    },
  };
  if (!(await transact(deps, [record, ...holdQuotaItems(deps.quotas, file, undefined)], false))) return false;
  await recordAudit(deps.audit, origin, {
    ownerId: file.ownerId,
    action: 'file.discard',
    objectId: file.fileId,
    outcome: 'hold-expired',
  });
  return true;
}

/** One transaction whose first item is the record: refused there, the file moved on (409, or false unless `loud`). */
async function transact(deps: Pick<HeldFileDeps, 'files'>, items: TransactItem[], loud = true): Promise<boolean> {
  try {
    await deps.files.db.send(new TransactWriteCommand({ TransactItems: items }));
    return true;
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.[0] !== 'ConditionalCheckFailed') throw error;
    if (loud) throw new Conflict('not_held', 'This file is no longer held for review.');
    return false;
  }
}
