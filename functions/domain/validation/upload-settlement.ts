import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, retryingConflicts } from '#commons/transactions';
import { type FileRecord, type FilesStore, type SettleOutcome, settleFileUpdate } from '#domain/drive/file-records';
import { settlementQuotaItems } from '#domain/quotas/charges';
import type { QuotaStore } from '#domain/quotas/usage-item';

/**
 * Settles a pending upload and its quota in one transaction: the reservation is closed and,
 * for a released file, the bytes actually stored (an image's cleaned size) become used. Only a
 * pending record moves, so a repeated or late event changes nothing (false). If the
 * reservation was already given back (it expired before the upload arrived), the released
 * bytes are still counted: they are stored.
 */
export async function settleUploadAndQuota(
  files: FilesStore,
  quotas: QuotaStore,
  file: FileRecord,
  outcome: SettleOutcome,
  now = new Date(),
): Promise<boolean> {
  const stored = outcome.status === 'clean' ? (outcome.image?.size ?? file.size) : 0;
  const transaction = (withReservation: boolean): TransactWriteCommandInput => ({
    TransactItems: [
      { Update: settleFileUpdate(files, file.ownerId, file.fileId, outcome, now) },
      ...settlementQuotaItems(quotas, file, stored, withReservation, now),
    ],
  });
  for (const withReservation of [true, false]) {
    try {
      await retryingConflicts(() => quotas.db.send(new TransactWriteCommand(transaction(withReservation))));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      // The record is no longer pending (settled by another delivery, or deleted).
      if (codes[0] === 'ConditionalCheckFailed') return false;
      if (!(withReservation && codes[1] === 'ConditionalCheckFailed')) throw error;
    }
  }
  return false;
}
