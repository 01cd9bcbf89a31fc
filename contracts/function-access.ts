import { bucketLayout } from './bucket';
import type { FunctionName } from './functions';
import {
  auditTable,
  filesTable,
  linksTable,
  noticesTable,
  quotasTable,
  sharesTable,
  type TableDefinition,
} from './tables';

/** `DescribeTable` is the table's metadata, no item: health's check that DynamoDB answers. */
export type DynamoAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'Query'
  | 'DescribeTable';
/**
 * `HeadObject` is S3's `s3:GetObject` without the key: metadata only, S3 decrypts nothing for it.
 * `PutObject` also covers a multipart upload's CreateMultipartUpload, UploadPart and
 * CompleteMultipartUpload; listing and aborting its parts are actions of their own.
 */
export type ObjectAction =
  | 'HeadObject'
  | 'GetObject'
  | 'PutObject'
  | 'PutObjectTagging'
  | 'GetObjectTagging'
  | 'DeleteObject'
  | 'ListMultipartUploadParts'
  | 'AbortMultipartUpload';

/** Settings that carry no permission, each set from the operator's CDK context. */
export type PlainSetting =
  | 'WEB_BASE_URL'
  | 'MAX_FILE_BYTES'
  | 'DEFAULT_QUOTA_BYTES'
  | 'MAX_IMAGE_PIXELS'
  | 'NONCURRENT_VERSION_DAYS'
  | 'MALWARE_SCAN'
  | 'QUARANTINE_DAYS';

/**
 * What each function may touch, and nothing more. The stack grants exactly this (and sets
 * the matching environment variables); a test loads every handler with only the environment
 * its function gets, so a missing entry fails offline, not at the first cold start.
 */
export interface FunctionAccess {
  /** Verifies owner JWTs itself (USER_POOL_ID, USER_POOL_CLIENT_ID). */
  readonly owner?: boolean;
  readonly tables?: readonly {
    table: TableDefinition;
    actions: readonly DynamoAction[];
    index?: string | readonly string[];
  }[];
  /** Looks users up by e-mail in the user pool (`cognito-idp:ListUsers` only). */
  readonly userDirectory?: boolean;
  readonly bucket?: readonly { prefix: string; actions: readonly ObjectAction[]; list?: boolean }[];
  /** Publishes "a file arrived through your link" notices to the operators' notifications topic. */
  readonly notifications?: boolean;
  /** Sends arrival notices to the notice queue (`sqs:SendMessage` on it alone, NOTICE_QUEUE_URL). */
  readonly queuesNotices?: boolean;
  /**
   * E-mails owners through SES: `ses:SendEmail` on the sender's identity (and configuration set)
   * alone, from the sender address only (MAIL_FROM_ADDRESS). Granted only when the stack has one.
   */
  readonly sendsMail?: boolean;
  /**
   * Asks the validator to run on an upload whose event was lost: `lambda:InvokeFunction` on the
   * validator alone, and its name in VALIDATOR_FUNCTION_NAME.
   */
  readonly invokesValidator?: boolean;
  /** Reads and deletes the messages of the validator's failure queue, to redrive them (VALIDATOR_FAILURES_QUEUE_URL). */
  readonly drainsValidatorFailures?: boolean;
  readonly settings?: readonly PlainSetting[];
}

const audit = { table: auditTable, actions: ['PutItem'] } as const;
const linkHolder = { table: linksTable, actions: ['GetItem'] } as const;
/** The drive's access check: the caller's shares, read on every request. */
const sharesGranted = { table: sharesTable, actions: ['Query'], index: 'byGrantee' } as const;
/** One folder's contents in each order: the files table's indexes on `listKey` (not the sweep's). */
const folderListings = filesTable.globalIndexes
  .filter((index) => index.partitionKey.name === 'listKey')
  .map((index) => index.indexName);

export const functionAccess: Record<FunctionName, FunctionAccess> = {
  // Readiness: DynamoDB's metadata of one table, no item read or written.
  health: { tables: [{ table: filesTable, actions: ['DescribeTable'] }] },
  'describe-api': {},
  'create-link': {
    owner: true,
    tables: [{ table: linksTable, actions: ['PutItem'] }, audit],
    settings: ['WEB_BASE_URL', 'MAX_FILE_BYTES'],
  },
  'list-links': {
    owner: true,
    tables: [{ table: linksTable, actions: ['Query'], index: linksTable.globalIndexes[0].indexName }],
  },
  'revoke-link': { owner: true, tables: [{ table: linksTable, actions: ['UpdateItem'] }, audit] },
  'describe-link': { tables: [linkHolder] },
  'presign-upload': {
    owner: true,
    tables: [
      { table: linksTable, actions: ['GetItem', 'UpdateItem'] },
      // GetItem: the destination folder and its path (access check).
      { table: filesTable, actions: ['PutItem', 'GetItem'] },
      sharesGranted,
      // Reads the usage, gives back what has expired (Query, DeleteItem, UpdateItem), reserves (UpdateItem).
      { table: quotasTable, actions: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] },
      audit,
    ],
    // PutObject: a single PUT's URL, and CreateMultipartUpload; AbortMultipartUpload when its record cannot be written.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['PutObject', 'AbortMultipartUpload'] }],
    settings: ['MAX_FILE_BYTES', 'DEFAULT_QUOTA_BYTES'],
  },
  'confirm-upload': {
    owner: true,
    tables: [linkHolder, { table: filesTable, actions: ['GetItem', 'UpdateItem'] }, sharesGranted, audit],
    // Only HEADs the upload, so no use of the key; listing makes a missing object a 404 rather than a 403.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['HeadObject'], list: true }],
    // An upload that arrived and is still pending lost its event: confirm asks the validator to run.
    invokesValidator: true,
  },
  'abandon-upload': {
    owner: true,
    tables: [
      // GetItem: the link holder's token; UpdateItem: the held use given back, in the transaction below.
      { table: linksTable, actions: ['GetItem', 'UpdateItem'] },
      // GetItem: the upload (and the access check); DeleteItem: the pending record, in one transaction with
      // the reservation closed and the hold given back.
      { table: filesTable, actions: ['GetItem', 'DeleteItem'] },
      { table: quotasTable, actions: ['UpdateItem'] },
      sharesGranted,
      audit,
    ],
    // HEADs the upload to tell one that arrived (listing makes a missing object a 404 rather than a 403);
    // aborts a multipart one first, so no complete can follow.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['HeadObject', 'AbortMultipartUpload'], list: true }],
  },
  // The multipart routes read the upload's record (its plan and S3 upload id) and, for a
  // sharee, the share; the link holder's token is read by authentication.
  'sign-upload-parts': {
    owner: true,
    tables: [linkHolder, { table: filesTable, actions: ['GetItem'] }, sharesGranted],
    // Signs UploadPart URLs (s3:PutObject) for incoming/ keys only.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['PutObject'] }],
  },
  'list-upload-parts': {
    owner: true,
    tables: [linkHolder, { table: filesTable, actions: ['GetItem'] }, sharesGranted],
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['ListMultipartUploadParts'] }],
  },
  'complete-upload': {
    owner: true,
    // UpdateItem: the record's completion and confirmation.
    tables: [linkHolder, { table: filesTable, actions: ['GetItem', 'UpdateItem'] }, sharesGranted, audit],
    // ListParts, then CompleteMultipartUpload (s3:PutObject) with what S3 holds; when S3 no longer knows the
    // upload, a HEAD tells a completion that won from an abort (listing: a missing object is a 404, not a 403).
    bucket: [
      {
        prefix: bucketLayout.incomingPrefix,
        actions: ['ListMultipartUploadParts', 'PutObject', 'HeadObject'],
        list: true,
      },
    ],
  },
  'list-files': {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem', 'Query'], index: folderListings }, sharesGranted],
  },
  'download-file': {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem'] }, sharesGranted, audit],
    bucket: [{ prefix: bucketLayout.filesPrefix, actions: ['GetObject'] }],
  },
  'download-thumbnail': {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem'] }, sharesGranted, audit],
    bucket: [{ prefix: bucketLayout.thumbsPrefix, actions: ['GetObject'] }],
  },
  'upload-profile-photo': {
    owner: true,
    // PutItem: the pending record of the photo (conditional, no read); the audit entry of the signing.
    tables: [{ table: filesTable, actions: ['PutItem'] }, audit],
    // The signed PUT into incoming/; the validator, not this function, writes the picture under profiles/.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['PutObject'] }],
  },
  'download-profile-photo': {
    owner: true,
    // GetItem: the owner's profile pointer, which names the current picture. Writes nothing, records no audit entry.
    tables: [{ table: filesTable, actions: ['GetItem'] }],
    // The signed GET of the current picture.
    bucket: [{ prefix: bucketLayout.profilesPrefix, actions: ['GetObject'] }],
  },
  'delete-file': {
    owner: true,
    tables: [
      // DeleteItem and UpdateItem: the record, its name claim and its folder's count go together.
      { table: filesTable, actions: ['GetItem', 'DeleteItem', 'UpdateItem'] },
      // The same transaction removes the file's charge and gives back the bytes.
      { table: quotasTable, actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
      sharesGranted,
      audit,
    ],
    bucket: [
      { prefix: bucketLayout.incomingPrefix, actions: ['DeleteObject'] },
      { prefix: bucketLayout.filesPrefix, actions: ['DeleteObject'] },
      { prefix: bucketLayout.thumbsPrefix, actions: ['DeleteObject'] },
      // Discarding a held file removes its quarantined bytes.
      { prefix: bucketLayout.quarantinePrefix, actions: ['DeleteObject'] },
    ],
  },
  'update-file': {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] }, sharesGranted, audit],
  },
  'list-folders': {
    owner: true,
    tables: [
      // GetItem: the folder and its path (access check).
      { table: filesTable, actions: ['GetItem'] },
      // Subfolders list by name or by date only (a folder has no size to sort by).
      { table: filesTable, actions: ['Query'], index: ['byName', 'byDate'] },
      sharesGranted,
    ],
  },
  'create-folder': {
    owner: true,
    tables: [
      // One transaction: the folder's item and its name's claim (PutItem), the parent's count (UpdateItem).
      { table: filesTable, actions: ['GetItem', 'PutItem', 'UpdateItem'] },
      sharesGranted,
      audit,
    ],
  },
  'update-folder': {
    owner: true,
    tables: [
      // One transaction: the name claim left (DeleteItem) or respelt and the one taken (PutItem), the item
      // and the counts (UpdateItem), each folder on the destination's path still where it was (ConditionCheckItem).
      { table: filesTable, actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] },
      // How deep the folders under a moved one go, walked by name.
      { table: filesTable, actions: ['Query'], index: 'byName' },
      sharesGranted,
      audit,
    ],
  },
  'delete-folder': {
    owner: true,
    tables: [
      // One transaction: the empty folder's item and its name claim (DeleteItem), the parent's count (UpdateItem).
      { table: filesTable, actions: ['GetItem', 'DeleteItem', 'UpdateItem'] },
      sharesGranted,
      audit,
    ],
  },
  'create-share': {
    owner: true,
    userDirectory: true,
    tables: [
      { table: filesTable, actions: ['GetItem'] },
      { table: sharesTable, actions: ['PutItem'] },
      // The access check tells a grantee trying to pass a share on (403) from a stranger (404).
      sharesGranted,
      audit,
    ],
  },
  'list-shares': {
    owner: true,
    tables: [
      // The shared things' current names.
      { table: filesTable, actions: ['GetItem'] },
      { table: sharesTable, actions: ['Query'], index: 'byOwner' },
    ],
  },
  // GetItem: only the share's owner may end it; the share is read before it is deleted.
  'revoke-share': { owner: true, tables: [{ table: sharesTable, actions: ['GetItem', 'DeleteItem'] }, audit] },
  'list-shared-with-me': {
    owner: true,
    tables: [
      { table: filesTable, actions: ['GetItem'] },
      { table: sharesTable, actions: ['Query'], index: 'byGrantee' },
    ],
  },
  'get-usage': {
    owner: true,
    // Gives back expired reservations and replaced content past retention before reporting.
    tables: [{ table: quotasTable, actions: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] }],
    settings: ['DEFAULT_QUOTA_BYTES'],
  },
  'describe-me': {
    owner: true,
    // The caller's own entry in the pool (ListUsers filtered by `sub`: no other read of the pool), and its usage as get-usage reports it.
    userDirectory: true,
    tables: [{ table: quotasTable, actions: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] }],
    settings: ['DEFAULT_QUOTA_BYTES'],
  },
  'list-audit-trail': { owner: true, tables: [{ table: auditTable, actions: ['Query'] }] },
  // The owner's settings item in their files partition (domain/account/owner-settings.ts).
  'get-settings': { owner: true, tables: [{ table: filesTable, actions: ['GetItem'] }] },
  'update-settings': { owner: true, tables: [{ table: filesTable, actions: ['UpdateItem'] }, audit] },
  // Releasing a held file: the record back to pending and its bytes from a charge back to a
  // reservation, in one transaction; the bytes copied from quarantine back to incoming/.
  'release-held-file': {
    owner: true,
    tables: [
      { table: filesTable, actions: ['GetItem', 'UpdateItem'] },
      { table: quotasTable, actions: ['UpdateItem', 'DeleteItem'] },
      audit,
    ],
    bucket: [
      // HeadObject: whether the quarantine still has the bytes (410 once the lifecycle took them).
      { prefix: bucketLayout.quarantinePrefix, actions: ['HeadObject', 'GetObject', 'DeleteObject'], list: true },
      { prefix: bucketLayout.incomingPrefix, actions: ['PutObject'] },
    ],
  },
  'sweep-uploads': {
    tables: [
      // Query: the pending uploads, from the sparse index only; UpdateItem: an expired one's record, in one
      // transaction with its reservation closed (quotas) and its link use given back (links).
      { table: filesTable, actions: ['Query'], index: 'pendingByUrlExpiry' },
      { table: filesTable, actions: ['UpdateItem'] },
      // DeleteItem: a held file given up at the end of its quarantine takes its charge with it.
      { table: quotasTable, actions: ['UpdateItem', 'DeleteItem'] },
      { table: linksTable, actions: ['UpdateItem'] },
      audit,
    ],
    // HEADs uploads to see which arrived (listing makes a missing object a 404 rather than a 403);
    // aborts a multipart upload left open past its time.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['HeadObject', 'AbortMultipartUpload'], list: true }],
    invokesValidator: true,
    drainsValidatorFailures: true,
  },
  // PutItem: a released file takes its name's claim (see validation/release.ts). Settling an upload
  // closes its reservation and records what the released file counts, in one transaction; a
  // replace reads the replaced file's charge (GetItem) to keep its old bytes in a noncurrent entry.
  'upload-validator': {
    tables: [
      { table: filesTable, actions: ['GetItem', 'UpdateItem', 'PutItem'] },
      audit,
      { table: quotasTable, actions: ['UpdateItem', 'PutItem', 'GetItem'] },
      // UpdateItem: a link upload spends the use it held, in the same transaction, which refuses
      // the release of a revoked link's upload (ConditionCheckItem when no hold is left);
      // GetItem: whether the link was revoked, read before judging and after a refused release.
      { table: linksTable, actions: ['UpdateItem', 'ConditionCheckItem', 'GetItem'] },
      // A sharee's upload is released only while its share stands: read first, then checked in
      // the releasing transaction.
      { table: sharesTable, actions: ['GetItem', 'ConditionCheckItem'] },
    ],
    bucket: [
      // GetObjectTagging: the malware scan's result, when its event is late or lost.
      { prefix: bucketLayout.incomingPrefix, actions: ['GetObject', 'GetObjectTagging', 'DeleteObject'], list: true },
      // A malware rejection's or a held file's bytes are copied here (in parts above 5 GiB).
      { prefix: bucketLayout.quarantinePrefix, actions: ['PutObject', 'AbortMultipartUpload'] },
      // PutObject also covers a copy made in parts (create, part copies, complete); a failed one is aborted.
      {
        prefix: bucketLayout.filesPrefix,
        actions: ['PutObject', 'PutObjectTagging', 'DeleteObject', 'AbortMultipartUpload'],
      },
      { prefix: bucketLayout.thumbsPrefix, actions: ['PutObject', 'PutObjectTagging', 'DeleteObject'] },
      { prefix: bucketLayout.profilesPrefix, actions: ['PutObject', 'PutObjectTagging'] },
    ],
    // The notice goes to the queue; the sender (send-notices) publishes it to the topic and e-mails it.
    queuesNotices: true,
    settings: ['NONCURRENT_VERSION_DAYS', 'MAX_IMAGE_PIXELS', 'MALWARE_SCAN', 'QUARANTINE_DAYS'],
  },
  'send-notices': {
    tables: [
      // The claim of (file, outcome): conditional PutItem, then read (GetItem) when refused, marked
      // sent (UpdateItem) or given back (DeleteItem); PutItem also keeps a notice for the digest.
      { table: noticesTable, actions: ['PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'] },
      // The owner's notice preference (their settings item).
      { table: filesTable, actions: ['GetItem'] },
      // The link's label, for the e-mail.
      { table: linksTable, actions: ['GetItem'] },
    ],
    // The owner's verified address (ListUsers filtered by `sub`).
    userDirectory: true,
    notifications: true,
    sendsMail: true,
    settings: ['WEB_BASE_URL'],
  },
  'send-digests': {
    tables: [
      // The day's kept notices (Query); the claim of (owner, day) as for single notices.
      { table: noticesTable, actions: ['Query', 'PutItem', 'GetItem', 'UpdateItem', 'DeleteItem'] },
      { table: filesTable, actions: ['GetItem'] },
    ],
    userDirectory: true,
    sendsMail: true,
    settings: ['WEB_BASE_URL'],
  },
};
