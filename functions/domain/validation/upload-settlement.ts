import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, retryingConflicts, type TransactItem } from '#commons/transactions';
import { type FileRecord, type FilesStore, type SettleOutcome, settleFileUpdate } from '#domain/drive/file-records';
import { isLinkRevoked, type LinksStore, releaseGuardItem, spendHoldItem } from '#domain/links/upload-links';
import { settlementQuotaItems } from '#domain/quotas/charges';
import type { QuotaStore } from '#domain/quotas/usage-item';

/**
 * The link side of settling an upload, last in its transaction: the use it held is spent (the
 * file arrived). None for an owner upload. A refusal of this item alone means no hold was
 * there (a use taken before holds existed, or the link is gone): settle without it.
 */
export const holdSpendingItems = (links: LinksStore, file: FileRecord): TransactItem[] =>
  file.linkId ? [spendHoldItem(links, file.linkId, file.fileId)] : [];

/**
 * The link side of releasing a link upload, last in its transaction: as `holdSpendingItems`,
 * and the release is refused if the link was revoked meanwhile. None for an owner upload.
 */
export const releaseGuardItems = (links: LinksStore, file: FileRecord, withHold: boolean): TransactItem[] =>
  file.linkId ? [releaseGuardItem(links, file.linkId, file.fileId, withHold)] : [];

/**
 * Why a release's link item was refused: the link was revoked (the release must not happen),
 * or only the hold was missing (release without it).
 */
export const linkRefusal = async (links: LinksStore, file: FileRecord): Promise<'revoked' | 'no-hold'> =>
  file.linkId && (await isLinkRevoked(links, file.linkId)) ? 'revoked' : 'no-hold';

/**
 * Settles a pending upload, its quota and its link use in one transaction: the reservation is
 * closed and, for a released file, the bytes actually stored (an image's cleaned size) become
 * used; the use the upload held on its link is spent. Only a pending record moves, so a
 * repeated or late event changes nothing (false). If the reservation was already given back
 * (it expired before the upload arrived), the released bytes are still counted: they are stored.
 */
export async function settleUploadAndQuota(
  files: FilesStore,
  quotas: QuotaStore,
  links: LinksStore,
  file: FileRecord,
  outcome: SettleOutcome,
  now = new Date(),
): Promise<boolean> {
  // A held file's bytes are kept (in quarantine) and count as used until it is released or discarded.
  const stored =
    outcome.status === 'clean' ? (outcome.image?.size ?? file.size) : outcome.status === 'held' ? file.size : 0;
  let withReservation = true;
  let withHold = file.linkId !== undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const items: TransactItem[] = [
      { Update: settleFileUpdate(files, file.ownerId, file.fileId, outcome, now) },
      ...settlementQuotaItems(quotas, file, stored, withReservation, now),
      ...(withHold ? holdSpendingItems(links, file) : []),
    ];
    try {
      await retryingConflicts(() => quotas.db.send(new TransactWriteCommand({ TransactItems: items })));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      // The record is no longer pending (settled by another delivery, expired, or deleted).
      if (codes[0] === 'ConditionalCheckFailed') return false;
      const reservationGone = withReservation && codes[1] === 'ConditionalCheckFailed';
      const holdGone = withHold && codes[items.length - 1] === 'ConditionalCheckFailed';
      if (!reservationGone && !holdGone) throw error;
      if (reservationGone) withReservation = false;
      if (holdGone) withHold = false;
    }
  }
  return false;
}
