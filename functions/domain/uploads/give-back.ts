import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, retryingConflicts, type TransactItem } from '#commons/transactions';
import { type FileRecord, type FilesStore, giveUpFileItem } from '#domain/drive/file-records';
import { giveBackHoldItem, type LinksStore } from '#domain/links/upload-links';
import { type QuotaStore, usageUpdate } from '#domain/quotas/usage-item';

export interface GiveBackDeps {
  readonly files: FilesStore;
  readonly quotas: QuotaStore;
  readonly links: LinksStore;
}

/**
 * Gives an upload that never arrived up (abandoned by its sender, or expired), and with it
 * everything it held: its quota reservation and its link use, in one transaction with the
 * record's change. Only a pending record moves (false otherwise: it arrived, or was given up
 * already). A reservation given back lazily before (see quotas/sweeping.ts), or a use taken
 * before holds existed, is simply not there: the transaction runs again without that item.
 */
export async function giveBackUpload(
  deps: GiveBackDeps,
  file: FileRecord,
  as: 'abandoned' | 'expired',
  now = new Date(),
): Promise<boolean> {
  const record = giveUpFileItem(deps.files, file, as, now) as TransactItem;
  let held: TransactItem[] = [
    // A profile photo counts against no quota.
    ...(file.purpose ? [] : [usageUpdate(deps.quotas, file.ownerId, file.fileId, { reservedBytes: file.size })]),
    ...(file.linkId ? [giveBackHoldItem(deps.links, file.linkId, file.fileId)] : []),
  ];
  for (;;) {
    try {
      await retryingConflicts(() => deps.files.db.send(new TransactWriteCommand({ TransactItems: [record, ...held] })));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed') return false;
      const stillThere = held.filter((_, index) => codes[index + 1] !== 'ConditionalCheckFailed');
      if (stillThere.length === held.length) throw error;
      held = stillThere;
    }
  }
}
