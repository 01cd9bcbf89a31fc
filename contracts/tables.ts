/**
 * DynamoDB tables: the one definition that the CDK stack and the local system both create.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDefinition {
  /** Logical name; the physical name is `<prefix>-<id>` locally and chosen by CloudFormation in the cloud. */
  readonly id: string;
  /** Environment variable that hands the physical name to a function. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute?: string;
  readonly globalIndexes: readonly IndexDefinition[];
}

/** Upload links, one item per link; the token itself is never stored, only its SHA-256. */
export const linksTable = {
  id: 'links',
  envVar: 'LINKS_TABLE',
  partitionKey: { name: 'linkId', type: 'S' },
  timeToLiveAttribute: 'ttl',
  globalIndexes: [
    {
      indexName: 'byOwner',
      partitionKey: { name: 'ownerId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

/** Files and the uploads that create them: one item per file, keyed by owner so every read is tenant-scoped. */
export const filesTable = {
  id: 'files',
  envVar: 'FILES_TABLE',
  partitionKey: { name: 'ownerId', type: 'S' },
  // File ids are time-ordered, so a reverse query lists newest first. The same partition
  // holds the owner's folders (`folder#<id>`) and name claims (`name#<folder>#<hash>`), so one
  // transaction can move a name and the things that hold it.
  sortKey: { name: 'fileId', type: 'S' },
  timeToLiveAttribute: 'ttl',
  // `listKey` is `files/<owner>/<folder>` on a listable file and `folders/<owner>/<parent>` on a
  // folder: one query lists one folder's contents in the chosen order, and nothing else has it.
  globalIndexes: [
    {
      indexName: 'byName',
      partitionKey: { name: 'listKey', type: 'S' },
      sortKey: { name: 'nameKey', type: 'S' },
    },
    {
      indexName: 'byDate',
      partitionKey: { name: 'listKey', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
    {
      indexName: 'bySize',
      partitionKey: { name: 'listKey', type: 'S' },
      // Zero-padded decimal, so it sorts as text and a page cursor stays all strings.
      sortKey: { name: 'sizeKey', type: 'S' },
    },
    // Sparse: only a pending upload has `pendingSweep` (one constant value), so the sweep reads
    // the uploads not yet settled, oldest URL expiry first, and nothing else. Few at any time.
    {
      indexName: 'pendingByUrlExpiry',
      partitionKey: { name: 'pendingSweep', type: 'S' },
      sortKey: { name: 'uploadUntil', type: 'N' },
    },
  ],
} as const satisfies TableDefinition;

/** The value of `pendingSweep` on every pending upload (see the files table's `pendingByUrlExpiry`). */
export const PENDING_SWEEP = 'pending';

/** What happened, to whose object, by whom: the upload and audit log. */
export const auditTable = {
  id: 'audit',
  envVar: 'AUDIT_TABLE',
  partitionKey: { name: 'ownerId', type: 'S' },
  sortKey: { name: 'eventId', type: 'S' },
  timeToLiveAttribute: 'ttl',
  globalIndexes: [],
} as const satisfies TableDefinition;

/**
 * Storage accounting per owner: one `usage` item (used, reserved and their sum, plus the open
 * reservations) and one `charge#<fileId>` item per released file, holding the bytes it counts.
 */
export const quotasTable = {
  id: 'quotas',
  envVar: 'QUOTAS_TABLE',
  partitionKey: { name: 'ownerId', type: 'S' },
  sortKey: { name: 'entry', type: 'S' },
  // Like every table; no quota entry expires by TTL (it deletes late), expiries are compared on read.
  timeToLiveAttribute: 'ttl',
  globalIndexes: [],
} as const satisfies TableDefinition;

/**
 * Shares: one item per (owner, file or folder, grantee), so sharing again changes the role
 * rather than adding a second share. Read on every request of a grantee (no caching), so a
 * revoke ends access at once.
 */
export const sharesTable = {
  id: 'shares',
  envVar: 'SHARES_TABLE',
  partitionKey: { name: 'shareId', type: 'S' },
  // Like every table; no share expires today.
  timeToLiveAttribute: 'ttl',
  globalIndexes: [
    {
      indexName: 'byGrantee',
      partitionKey: { name: 'granteeId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
    {
      indexName: 'byOwner',
      partitionKey: { name: 'ownerId', type: 'S' },
      sortKey: { name: 'createdAt', type: 'S' },
    },
  ],
} as const satisfies TableDefinition;

/**
 * E-mail notices to link owners (functions/domain/notices/): a claim per (file, outcome), so at
 * most one notice is sent for each (`notice#<fileId>` / `<status>`), and the notices a `daily`
 * owner's digest will carry (`digest#<UTC day>` / `<ownerId>#<fileId>#<status>`, one partition a
 * day that the digest reads with one query) with the digest's own claim (`digest-sent#<day>` /
 * `<ownerId>`). A table of its own rather than items in the files table: nothing here is the
 * owner's data, everything expires by TTL, and the digest needs a by-day read no files index gives.
 */
export const noticesTable = {
  id: 'notices',
  envVar: 'NOTICES_TABLE',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  globalIndexes: [],
} as const satisfies TableDefinition;

export const tables = [linksTable, filesTable, auditTable, quotasTable, sharesTable, noticesTable] as const;

/** The attributes of a table's (or one of its indexes') LastEvaluatedKey: what a page cursor must hold. */
export function pageKeyAttributes(table: TableDefinition, indexName?: string): string[] {
  const base = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
  if (indexName === undefined) return base;
  const index = table.globalIndexes.find((candidate) => candidate.indexName === indexName);
  if (!index) throw new Error(`table ${table.id} has no index ${indexName}`);
  return [...new Set([...base, index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])])];
}
