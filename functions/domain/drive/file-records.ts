import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TransactItem } from '#commons/transactions';
import type { ActiveContentKind } from '#contracts/api/drive';
import { limits } from '#contracts/limits';
import type { ScanResult } from '#contracts/malware-scan';
import { PENDING_SWEEP } from '#contracts/tables';
import { ROOT } from '#domain/drive/names';

/** `expired`: signed, never sent before its URL (and the grace S3 allows a started PUT) ran out. */
export type FileStatus = 'pending' | 'clean' | 'rejected' | 'expired' | 'held';

/** One file, from the moment its upload is signed. `fileId` is also the upload id. */
export interface FileRecord {
  readonly ownerId: string;
  readonly fileId: string;
  readonly name: string;
  readonly contentType: string;
  readonly size: number;
  /**
   * The whole file's SHA-256 (base64): declared and pinned for a single PUT; optional for a
   * multipart upload, whose parts are pinned instead (see `multipart`, `partsSha256`).
   */
  readonly sha256?: string;
  readonly status: FileStatus;
  readonly createdAt: string;
  readonly linkId?: string;
  /** A multipart upload: S3's upload id (never shown to a client) and the plan its parts are signed for. */
  readonly multipart?: { readonly s3UploadId: string; readonly partSize: number; readonly partCount: number };
  /**
   * When a multipart upload was completed. S3 dates such an object from when the upload was
   * created, so "arrived this long ago" counts from this instead of the object's LastModified.
   */
  readonly completedAt?: string;
  /** S3's COMPOSITE checksum of a multipart upload's parts (`<base64>-<parts>`), from CompleteMultipartUpload. */
  readonly partsSha256?: string;
  readonly confirmedAt?: string;
  readonly validatedAt?: string;
  readonly reason?: string;
  /** A PDF released with active content (its link or owner allows it): what it carries, or `not_inspected`. */
  readonly activeContent?: readonly ActiveContentKind[];
  /** Images: the released (cleaned) image's size in pixels; a thumbnail exists. */
  readonly width?: number;
  readonly height?: number;
  readonly thumbnail?: boolean;
  /** Set on a profile-photo upload, which is not one of the owner's files and is not listed. */
  readonly purpose?: 'profile-photo';
  /** Set while the record may expire: pending (never arrived), rejected or expired. */
  readonly ttl?: number;
  /** Epoch seconds when the upload's signed URL stops working. */
  readonly uploadUntil?: number;
  /** `PENDING_SWEEP` while the upload is pending (the sweep's sparse index), removed when it settles. */
  readonly pendingSweep?: string;
  /** When an expired upload was given up. */
  readonly expiredAt?: string;
  /** The folder it is in (absent: the top level). */
  readonly folderId?: string;
  /** Listing keys (see drive-names.ts): present while the file is listed. */
  readonly listKey?: string;
  readonly nameKey?: string;
  readonly sizeKey?: string;
  /** What a pending upload does when its name is taken at release: numbered copy, or a new version of that file. */
  readonly onConflict?: OnConflict;
  /** Set once the file holds its name's claim in its folder (from release on). */
  readonly claimed?: boolean;
  /** A `replace` upload, once released: the file whose new version it became. The record is then not listed. */
  readonly mergedInto?: string;
  /** An upload by a sharee into this owner's folder: the share it came through, released only while it stands. */
  readonly viaShare?: { readonly shareId: string; readonly granteeId: string };
  /** The malware scan's result, recorded from its event (docdrop:malwareScan guardduty); `scanThreats` names what it found. */
  readonly scan?: ScanResult;
  readonly scanThreats?: readonly string[];
  /** A held file its owner released: it is judged again without waiting for a scan. */
  readonly ownerReleased?: boolean;
  /** The uploader's address from S3's event, kept while the upload waits for its scan (for the trail). */
  readonly uploaderIp?: string;
  /** Epoch seconds when a held file's quarantined bytes are removed: the sweep discards it then. */
  readonly heldUntil?: number;
}

export type OnConflict = 'keep-both' | 'replace';

/** What the image pipeline released in place of the upload: its record describes the cleaned bytes. */
export interface ReleasedImage {
  readonly size: number;
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
}

export interface FilesStore {
  readonly db: DynamoDBDocumentClient;
  readonly tableName: string;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export async function putPendingFile(
  store: FilesStore,
  record: Omit<FileRecord, 'status' | 'ttl' | 'uploadUntil' | 'pendingSweep'>,
  now = new Date(),
  /** When its signed URL stops working. */
  urlExpiresAt = new Date(now.getTime() + limits.uploadUrlSeconds * 1000),
): Promise<FileRecord> {
  const item: FileRecord = {
    ...record,
    status: 'pending',
    // A multipart upload stays open until its expiry (up to a day): its record outlives that by
    // the same margin, so the sweep gives it back before TTL could remove it.
    ttl: epochSeconds(record.multipart ? urlExpiresAt : now) + limits.pendingRecordHours * 3600,
    uploadUntil: epochSeconds(urlExpiresAt),
    pendingSweep: PENDING_SWEEP,
  };
  await store.db.send(
    new PutCommand({ TableName: store.tableName, Item: item, ConditionExpression: 'attribute_not_exists(fileId)' }),
  );
  return item;
}

export async function getFile(store: FilesStore, ownerId: string, fileId: string): Promise<FileRecord | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { ownerId, fileId }, ConsistentRead: true }),
  );
  return Item as FileRecord | undefined;
}

export type SettleOutcome =
  | { status: 'clean'; image?: ReleasedImage }
  | { status: 'rejected'; reason: string }
  /** The scan could not decide: kept in quarantine until `heldUntil` (epoch seconds), when the sweep discards it. */
  | { status: 'held'; reason: string; heldUntil: number };

/** The conditional update that moves a pending file to its final status (also used inside the quota transaction). */
export function settleFileUpdate(
  store: FilesStore,
  ownerId: string,
  fileId: string,
  outcome: SettleOutcome,
  now = new Date(),
  /** What the record must be: pending, or (for a PUT that outlasted the grace) already expired. */
  from: 'pending' | 'expired' = 'pending',
) {
  return {
    TableName: store.tableName,
    Key: { ownerId, fileId },
    ...(outcome.status === 'clean'
      ? {
          // A rebuilt image is described by its own bytes: the parts' composite no longer applies.
          UpdateExpression: `SET #status = :status, validatedAt = :now${
            outcome.image ? ', #size = :size, sha256 = :sha256, width = :width, height = :height, thumbnail = :yes' : ''
          } REMOVE #ttl, pendingSweep${outcome.image ? ', partsSha256' : ''}`,
          ExpressionAttributeValues: {
            ':status': 'clean',
            ':now': now.toISOString(),
            ':pending': from,
            ...(outcome.image
              ? {
                  ':size': outcome.image.size,
                  ':sha256': outcome.image.sha256,
                  ':width': outcome.image.width,
                  ':height': outcome.image.height,
                  ':yes': true,
                }
              : {}),
          },
        }
      : outcome.status === 'held'
        ? {
            // Still in the sweep's index (`pendingSweep` kept): it discards the file when its quarantine ends.
            UpdateExpression:
              'SET #status = :status, validatedAt = :now, reason = :reason, heldUntil = :until REMOVE #ttl',
            ExpressionAttributeValues: {
              ':status': 'held',
              ':now': now.toISOString(),
              ':reason': outcome.reason,
              ':until': outcome.heldUntil,
              ':pending': from,
            },
          }
        : {
            UpdateExpression:
              'SET #status = :status, validatedAt = :now, reason = :reason, #ttl = :ttl REMOVE pendingSweep',
            ExpressionAttributeValues: {
              ':status': 'rejected',
              ':now': now.toISOString(),
              ':reason': outcome.reason,
              ':ttl': epochSeconds(now) + limits.rejectedRecordDays * 86_400,
              ':pending': from,
            },
          }),
    ConditionExpression: '#status = :pending',
    // `size` is a DynamoDB reserved word.
    ExpressionAttributeNames: {
      '#status': 'status',
      '#ttl': 'ttl',
      ...(outcome.status === 'clean' && outcome.image ? { '#size': 'size' } : {}),
    },
  };
}

/**
 * Moves a pending file to its final status, once: a duplicate or late event finds it no
 * longer pending and changes nothing. Returns false when the record was not pending (or is gone).
 */
export async function settleFile(
  store: FilesStore,
  ownerId: string,
  fileId: string,
  outcome: SettleOutcome,
  now = new Date(),
  from: 'pending' | 'expired' = 'pending',
): Promise<boolean> {
  try {
    await store.db.send(new UpdateCommand(settleFileUpdate(store, ownerId, fileId, outcome, now, from)));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** How long an expired upload stays listed, so its sender and owner see what happened to it. */
export const EXPIRED_LISTED_SECONDS = 86_400;

/**
 * The record's side of giving an upload up, conditioned on it still being pending: an
 * abandoned one goes (it was never anyone's file), an expired one says so for a day.
 */
export function giveUpFileItem(store: FilesStore, file: FileRecord, as: 'abandoned' | 'expired', now: Date) {
  const Key = { ownerId: file.ownerId, fileId: file.fileId };
  const ConditionExpression = '#status = :pending';
  return as === 'abandoned'
    ? {
        Delete: {
          TableName: store.tableName,
          Key,
          ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      }
    : {
        Update: {
          TableName: store.tableName,
          Key,
          UpdateExpression: 'SET #status = :expired, expiredAt = :now, #ttl = :ttl REMOVE pendingSweep',
          ConditionExpression,
          ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':expired': 'expired',
            ':now': now.toISOString(),
            ':ttl': epochSeconds(now) + EXPIRED_LISTED_SECONDS,
          },
        },
      };
}

/** False for an expired upload past its day in the lists: TTL deletes late, so every read compares. */
export function stillListed(file: Pick<FileRecord, 'status' | 'expiredAt'>, now = new Date()): boolean {
  if (file.status !== 'expired' || !file.expiredAt) return true;
  return Date.parse(file.expiredAt) + EXPIRED_LISTED_SECONDS * 1000 > now.getTime();
}

/**
 * One conditional update of a record's attributes: false, changing nothing, when its condition
 * no longer holds (the record moved on, or is gone).
 */
async function updateWhile(
  store: FilesStore,
  key: { ownerId: string; fileId: string },
  update: Pick<
    UpdateCommandInput,
    'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
  >,
): Promise<boolean> {
  try {
    await store.db.send(new UpdateCommand({ TableName: store.tableName, Key: key, ...update }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Records that the client finished its PUT; the first confirmation wins, later ones change nothing. */
export async function markConfirmed(
  store: FilesStore,
  ownerId: string,
  fileId: string,
  now = new Date(),
): Promise<void> {
  // Deleted meanwhile: there is nothing left to confirm.
  await updateWhile(
    store,
    { ownerId, fileId },
    {
      UpdateExpression: 'SET confirmedAt = if_not_exists(confirmedAt, :now)',
      ConditionExpression: 'attribute_exists(fileId)',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    },
  );
}

/**
 * Notes the composite checksum a multipart upload's completion will have, before the object can
 * exist: the validator, run by the object's event, reads it from the record it releases.
 */
export async function notePartsSha256(
  store: FilesStore,
  ownerId: string,
  fileId: string,
  partsSha256: string,
): Promise<void> {
  // Completed, settled or given up meanwhile: the completion that follows finds out which.
  await updateWhile(
    store,
    { ownerId, fileId },
    {
      UpdateExpression: 'SET partsSha256 = :parts',
      ConditionExpression: '#status = :pending AND attribute_not_exists(completedAt)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':parts': partsSha256, ':pending': 'pending' },
    },
  );
}

/**
 * Records that a multipart upload was completed, which is also its confirmation; the first
 * completion wins. True when this call recorded it (false: recorded before, or the record is gone).
 */
export const markCompleted = (
  store: FilesStore,
  ownerId: string,
  fileId: string,
  now = new Date(),
  /** S3's composite checksum, when it differs from the one noted (see notePartsSha256). */
  partsSha256?: string,
): Promise<boolean> =>
  updateWhile(
    store,
    { ownerId, fileId },
    {
      UpdateExpression: `SET completedAt = :now, confirmedAt = if_not_exists(confirmedAt, :now)${
        partsSha256 ? ', partsSha256 = :parts' : ''
      }`,
      ConditionExpression: 'attribute_exists(fileId) AND attribute_not_exists(completedAt)',
      ExpressionAttributeValues: { ':now': now.toISOString(), ...(partsSha256 ? { ':parts': partsSha256 } : {}) },
    },
  );

/**
 * The digests S3 (or the validator) verified: a single PUT's whole-file SHA-256, pinned by its
 * signature; a multipart upload's declared one only once the validator checked it (released),
 * and the composite of its parts.
 */
export function verifiedDigests(file: FileRecord): { sha256?: string; partsSha256?: string } {
  const wholeChecked = file.sha256 !== undefined && (!file.multipart || file.status === 'clean');
  // Noted just before completion: S3's once the upload is complete (or released).
  const partsChecked = file.partsSha256 !== undefined && (file.completedAt !== undefined || file.status === 'clean');
  return {
    ...(wholeChecked ? { sha256: file.sha256 } : {}),
    ...(partsChecked ? { partsSha256: file.partsSha256 } : {}),
  };
}

/** The owner's current profile picture: one item beside their files, never listed. */
export interface ProfilePointer {
  readonly ownerId: string;
  readonly fileId: typeof PROFILE_POINTER;
  readonly purpose: 'profile-pointer';
  readonly photoFileId: string;
  readonly ttl?: undefined;
}
export const PROFILE_POINTER = 'profile';

/**
 * Points the owner's profile at a newly released picture, unless a newer one is already
 * there: file ids are time-ordered, so a late event for an older upload changes nothing.
 */
export async function pointProfileAt(store: FilesStore, ownerId: string, photoFileId: string): Promise<boolean> {
  try {
    await store.db.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { ownerId, fileId: PROFILE_POINTER },
        UpdateExpression: 'SET photoFileId = :photo, purpose = :purpose',
        ConditionExpression: 'attribute_not_exists(photoFileId) OR photoFileId < :photo',
        ExpressionAttributeValues: { ':photo': photoFileId, ':purpose': 'profile-pointer' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function getProfilePointer(store: FilesStore, ownerId: string): Promise<ProfilePointer | undefined> {
  const { Item } = await store.db.send(
    new GetCommand({ TableName: store.tableName, Key: { ownerId, fileId: PROFILE_POINTER }, ConsistentRead: true }),
  );
  return Item as ProfilePointer | undefined;
}

/** What an owner sees of a file. */
export function describeFile(file: FileRecord) {
  return {
    fileId: file.fileId,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    status: file.status,
    createdAt: file.createdAt,
    folderId: file.folderId ?? ROOT,
    ...(file.linkId ? { linkId: file.linkId } : {}),
    ...(file.reason ? { reason: file.reason } : {}),
    ...(file.width && file.height ? { width: file.width, height: file.height } : {}),
    ...(file.activeContent?.length ? { activeContent: file.activeContent } : {}),
    ...(file.scan ? { scan: file.scan } : {}),
    ...verifiedDigests(file),
  };
}

/** The record renamed and/or moved, conditioned on it still holding the name and place it was read with. */
export function moveFileRecordItem(store: FilesStore, before: FileRecord, after: FileRecord): TransactItem {
  return {
    Update: {
      TableName: store.tableName,
      Key: { ownerId: before.ownerId, fileId: before.fileId },
      UpdateExpression: 'SET #name = :name, nameKey = :nameKey, folderId = :folder, listKey = :listKey',
      ConditionExpression: '#name = :oldName AND listKey = :oldListKey',
      ExpressionAttributeNames: { '#name': 'name' },
      ExpressionAttributeValues: {
        ':name': after.name,
        ':nameKey': after.nameKey,
        ':folder': after.folderId,
        ':listKey': after.listKey,
        ':oldName': before.name,
        ':oldListKey': before.listKey,
      },
    },
  };
}

/**
 * The record removed, conditioned on it being as read: a named file still where it was, an
 * unnamed one still unnamed (a release meanwhile gave it a name that must be given back too).
 */
export function deleteFileRecordItem(store: FilesStore, file: FileRecord, named: boolean): TransactItem {
  const Key = { ownerId: file.ownerId, fileId: file.fileId };
  return named
    ? {
        Delete: {
          TableName: store.tableName,
          Key,
          ConditionExpression: '#name = :name AND listKey = :listKey',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': file.name, ':listKey': file.listKey },
        },
      }
    : {
        Delete: {
          TableName: store.tableName,
          Key,
          ConditionExpression: 'attribute_not_exists(claimed) OR attribute_exists(mergedInto)',
        },
      };
}
