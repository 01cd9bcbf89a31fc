import type { TransactItem } from '#commons/transactions';
import { type FileRecord, type FilesStore, getFile, type ReleasedImage } from '#domain/drive/file-records';
import { getFolder } from '#domain/drive/folders';
import { countInFolder, getNameClaim, takeName, WriteRefused, writeTogether } from '#domain/drive/name-claims';
import { listKeyOfFiles, MAX_NUMBERED_COPIES, nameKeyOf, numberedName, ROOT, sizeKeyOf } from '#domain/drive/names';
import type { LinksStore } from '#domain/links/upload-links';
import { replacementQuotaItems, settlementQuotaItems } from '#domain/quotas/charges';
import type { QuotaStore } from '#domain/quotas/usage-item';
import { type SharesStore, shareStandsItem } from '#domain/sharing/shares';
import { linkRefusal, releaseGuardItems } from '#domain/validation/upload-settlement';

/**
 * Where a file's final name is settled: when the validator releases it, not when its upload
 * is signed. A name then belongs only to bytes that passed the checks: an upload that is
 * never sent or is rejected never holds (or blocks) a name, and no claim needs a timer to
 * expire. Racing uploads of one name are settled by the claim's conditional put in the same
 * transaction that releases the record: one takes `report.pdf`, the next `report (1).pdf`.
 * While pending, a file is listed under the name it asked for.
 */

export interface ReleasePlan {
  /** The folder it lands in: the one asked for, or the top level if that folder was deleted meanwhile. */
  readonly folderId: string;
  /** For `replace`: the released file whose name it asked for; its key receives the new bytes. */
  readonly replaces?: FileRecord;
}

/** Decides, before any bytes are written, where a release goes. */
export async function planRelease(store: FilesStore, file: FileRecord): Promise<ReleasePlan> {
  const asked = file.folderId ?? ROOT;
  const folderId = asked === ROOT || (await getFolder(store, file.ownerId, asked)) ? asked : ROOT;
  if (file.onConflict !== 'replace') return { folderId };
  const claim = await getNameClaim(store, file.ownerId, folderId, file.name);
  if (claim?.holderKind !== 'file') return { folderId };
  const holder = await getFile(store, file.ownerId, claim.holderId);
  return holder?.status === 'clean' && holder.claimed ? { folderId, replaces: holder } : { folderId };
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * What a released record says of its bytes. A cleaned image is described by its rebuilt bytes
 * (their SHA-256; the parts' composite no longer describes them). Otherwise the upload's own:
 * the whole-file SHA-256 S3 or the validator checked, if any, and S3's composite of the parts.
 */
function describedBytes(file: FileRecord, image: ReleasedImage | undefined) {
  const size = image?.size ?? file.size;
  const sha256 = image?.sha256 ?? file.sha256;
  const partsSha256 = image ? undefined : file.partsSha256;
  return {
    set: {
      '#size': ['size', size],
      sizeKey: ['sizeKey', sizeKeyOf(size)],
      ...(sha256 ? { sha256: ['sha256', sha256] } : {}),
      ...(partsSha256 ? { partsSha256: ['partsSha256', partsSha256] } : {}),
      contentType: ['contentType', file.contentType],
      ...(image
        ? { width: ['width', image.width], height: ['height', image.height], thumbnail: ['thumbnail', true] }
        : {}),
      ...(file.activeContent ? { activeContent: ['activeContent', file.activeContent] } : {}),
    } as Record<string, [string, unknown]>,
    remove: [
      ...(image ? [] : ['width', 'height', 'thumbnail']),
      // A new version without active content must not keep the flag of the one it replaces.
      ...(file.activeContent ? [] : ['activeContent']),
      ...(sha256 ? [] : ['sha256']),
      ...(partsSha256 ? [] : ['partsSha256']),
    ],
  };
}

const removing = (attributes: readonly string[]) =>
  attributes.length ? ` REMOVE ${attributes.map((a) => `#${a}`).join(', ')}` : '';

export type ReleaseResult =
  | { readonly outcome: 'released'; readonly name: string; readonly folderId: string }
  | { readonly outcome: 'replaced'; readonly fileId: string }
  /** Another delivery released it first, or the owner deleted it meanwhile. */
  | { readonly outcome: 'not-pending' }
  /** Its upload link was revoked before the release could commit: nothing was released. */
  | { readonly outcome: 'link-revoked' }
  /** The share a sharee uploaded through was revoked (or made view-only) before the release could commit. */
  | { readonly outcome: 'share-revoked' };

/**
 * Releases a pending file under a free name in its folder: the name asked for, else the
 * first free `name (n).ext`. One transaction moves the record to clean, takes the claim and
 * counts the file in its folder.
 */
export async function releaseWithName(
  store: FilesStore,
  quotas: QuotaStore,
  links: LinksStore,
  file: FileRecord,
  folderId: string,
  image: ReleasedImage | undefined,
  now: Date,
  /** Needed for a sharee's upload: its share is checked in the releasing transaction. */
  shares?: SharesStore,
): Promise<ReleaseResult> {
  if (file.viaShare && !shares) throw new Error(`release of ${file.fileId}: a sharee's upload needs the shares table`);
  const bytes = describedBytes(file, image);
  const stored = image?.size ?? file.size;
  let folder = folderId;
  // The reservation made at presign is closed in the same transaction, unless it already
  // expired and was given back: then the stored bytes are counted all the same.
  let withReservation = true;
  // The use the upload held on its link is spent in the same transaction, which also checks
  // that the link is not revoked (see upload-settlement.ts).
  let withHold = file.linkId !== undefined;
  for (let n = 0; n <= MAX_NUMBERED_COPIES; n++) {
    const name = n === 0 ? file.name : numberedName(file.name, n);
    // A cheap read first: most taken names are seen here, without a refused transaction.
    if (await getNameClaim(store, file.ownerId, folder, name)) continue;
    const names: Record<string, string> = { '#status': 'status', '#ttl': 'ttl', '#name': 'name' };
    const values: Record<string, unknown> = {
      ':clean': 'clean',
      ':pending': 'pending',
      ':now': now.toISOString(),
      ':name': name,
      ':nameKey': nameKeyOf(name),
      ':folder': folder,
      ':listKey': listKeyOfFiles(file.ownerId, folder),
      ':yes': true,
    };
    for (const attribute of bytes.remove) names[`#${attribute}`] = attribute;
    const sets = [
      '#status = :clean',
      'validatedAt = :now',
      '#name = :name',
      'nameKey = :nameKey',
      'folderId = :folder',
      'listKey = :listKey',
      'claimed = :yes',
    ];
    for (const [placeholder, [attribute, value]] of Object.entries(bytes.set)) {
      const ref = placeholder.startsWith('#') ? placeholder : `#${attribute}`;
      names[ref] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`${ref} = :${attribute}`);
    }
    const items: TransactItem[] = [
      {
        Update: {
          TableName: store.tableName,
          Key: { ownerId: file.ownerId, fileId: file.fileId },
          UpdateExpression: `SET ${sets.join(', ')} REMOVE #ttl, pendingSweep${bytes.remove.map((a) => `, #${a}`).join('')}`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      takeName(store, file.ownerId, folder, name, { kind: 'file', id: file.fileId }),
      ...countInFolder(store, file.ownerId, folder, 1),
    ];
    const usageAt = items.length;
    items.push(...settlementQuotaItems(quotas, file, stored, withReservation, now));
    const linkAt = items.length;
    items.push(...releaseGuardItems(links, file, withHold));
    const shareAt = items.length;
    if (file.viaShare && shares) items.push(shareStandsItem(shares, file.viaShare));
    try {
      await writeTogether(store, items);
      return { outcome: 'released', name, folderId: folder };
    } catch (error) {
      if (!(error instanceof WriteRefused)) throw error;
      if (error.failed.includes(0)) return { outcome: 'not-pending' };
      if (file.viaShare && error.failed.includes(shareAt)) return { outcome: 'share-revoked' };
      const linkRefused = file.linkId !== undefined && error.failed.includes(linkAt);
      if (linkRefused && (await linkRefusal(links, file)) === 'revoked') return { outcome: 'link-revoked' };
      const reservationGone = withReservation && error.failed.includes(usageAt);
      const holdGone = withHold && linkRefused;
      if (reservationGone || holdGone) {
        if (reservationGone) withReservation = false;
        if (holdGone) withHold = false;
        n -= 1;
        continue;
      }
      if (error.failed.includes(usageAt + 1)) throw new Error(`file ${file.fileId} is already charged`);
      if (folder !== ROOT && error.failed.includes(2)) {
        // The folder was deleted while this upload was in flight: it lands at the top level.
        folder = ROOT;
        n = -1;
      }
      // Otherwise the name was taken between the read and the write: try the next one.
    }
  }
  // Every numbered name is taken: the upload is refused like any other, with its reason.
  throw new NoFreeName(file.name);
}

export class NoFreeName extends Error {
  constructor(readonly fileName: string) {
    super(`every numbered copy of ${fileName} is taken`);
  }
}

/**
 * A `replace` upload: its bytes already went to the replaced file's key as a new version
 * (the old content stays as a noncurrent version); the replaced file keeps its id and name
 * and its record now describes the new bytes. The upload's own record stays, unlisted, so a
 * confirm can answer with the file it became; it expires like a rejected one.
 */
export async function releaseAsReplacement(
  store: FilesStore,
  quotas: QuotaStore,
  links: LinksStore,
  file: FileRecord,
  replaced: FileRecord,
  image: ReleasedImage | undefined,
  now: Date,
  /** Until when the bucket keeps the old content as a noncurrent version: it counts until then. */
  keepUntil: Date,
): Promise<ReleaseResult | { readonly outcome: 'replaced-gone' }> {
  const bytes = describedBytes(file, image);
  const stored = image?.size ?? file.size;
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':clean': 'clean', ':now': now.toISOString() };
  const sets = ['replacedAt = :now'];
  for (const [placeholder, [attribute, value]] of Object.entries(bytes.set)) {
    const ref = placeholder.startsWith('#') ? placeholder : `#${attribute}`;
    names[ref] = attribute;
    values[`:${attribute}`] = value;
    sets.push(`${ref} = :${attribute}`);
  }
  for (const attribute of bytes.remove) names[`#${attribute}`] = attribute;
  const updateReplaced: TransactItem = {
    Update: {
      TableName: store.tableName,
      Key: { ownerId: replaced.ownerId, fileId: replaced.fileId },
      UpdateExpression: `SET ${sets.join(', ')}${removing(bytes.remove)}`,
      ConditionExpression: '#status = :clean',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
  const settleUpload: TransactItem = {
    Update: {
      TableName: store.tableName,
      Key: { ownerId: file.ownerId, fileId: file.fileId },
      UpdateExpression:
        'SET #status = :clean, validatedAt = :now, mergedInto = :into, #ttl = :ttl REMOVE listKey, pendingSweep',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':clean': 'clean',
        ':pending': 'pending',
        ':now': now.toISOString(),
        ':into': replaced.fileId,
        ':ttl': epochSeconds(now) + 86_400,
      },
    },
  };
  // The old content's bytes move to a noncurrent entry and the new content is charged to the
  // same file, in the transaction that settles the upload (see replacementQuotaItems).
  const quota = (withReservation: boolean) =>
    replacementQuotaItems(quotas, file, replaced.fileId, stored, withReservation, keepUntil, now);
  let withReservation = true;
  let withHold = file.linkId !== undefined;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const items = [updateReplaced, settleUpload, ...(await quota(withReservation))];
    const linkAt = items.length;
    items.push(...releaseGuardItems(links, file, withHold));
    try {
      await writeTogether(store, items);
      return { outcome: 'replaced', fileId: replaced.fileId };
    } catch (error) {
      if (!(error instanceof WriteRefused)) throw error;
      if (error.failed.includes(0)) return { outcome: 'replaced-gone' };
      if (error.failed.includes(1)) {
        // Settled by another delivery, which counted everything: nothing more to do. Deleted
        // while it was checked: the new bytes are under the replaced file's key all the same,
        // so its record and charge must describe them.
        if (!(await getFile(store, file.ownerId, file.fileId))) {
          await writeTogether(store, [updateReplaced, ...(await quota(false))]).catch((inner) => {
            if (!(inner instanceof WriteRefused)) throw inner;
          });
        }
        return { outcome: 'not-pending' };
      }
      const linkRefused = file.linkId !== undefined && error.failed.includes(linkAt);
      if (linkRefused && (await linkRefusal(links, file)) === 'revoked') return { outcome: 'link-revoked' };
      // The reservation had expired and was given back: count without it. Otherwise the
      // replaced file's charge changed since it was read: read it again.
      if (error.failed.includes(2)) withReservation = false;
      if (linkRefused) withHold = false;
    }
  }
  throw new Error(`could not settle the replacement of ${replaced.fileId}`);
}
