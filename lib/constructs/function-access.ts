import { bucketLayout } from '../definitions/bucket';
import { auditTable, filesTable, linksTable, quotasTable, type TableDefinition } from '../definitions/tables';
import type { DynamoAction, ObjectAction } from './docdrop-function';

/**
 * What each API handler may touch, and nothing more. The stack grants exactly this (and sets
 * the matching environment variables); a test loads every handler with only the environment
 * its function gets, so a missing entry fails offline, not at the first cold start.
 */
export interface FunctionAccess {
  /** Verifies owner JWTs itself (USER_POOL_ID, USER_POOL_CLIENT_ID). */
  readonly owner?: boolean;
  readonly tables?: readonly { table: TableDefinition; actions: readonly DynamoAction[]; index?: string }[];
  readonly bucket?: readonly { prefix: string; actions: readonly ObjectAction[]; list?: boolean }[];
  readonly settings?: readonly ('WEB_BASE_URL' | 'MAX_FILE_BYTES' | 'DEFAULT_QUOTA_BYTES')[];
}

const audit = { table: auditTable, actions: ['PutItem'] } as const;
const linkHolder = { table: linksTable, actions: ['GetItem'] } as const;

export const functionAccess: Record<string, FunctionAccess> = {
  health: {},
  'generate-token': {
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
  presign: {
    owner: true,
    tables: [
      { table: linksTable, actions: ['GetItem', 'UpdateItem'] },
      { table: filesTable, actions: ['PutItem'] },
      // Reads the usage, gives back what has expired (Query, DeleteItem, UpdateItem), reserves (UpdateItem).
      { table: quotasTable, actions: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] },
      audit,
    ],
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['PutObject'] }],
    settings: ['MAX_FILE_BYTES', 'DEFAULT_QUOTA_BYTES'],
  },
  confirm: {
    owner: true,
    tables: [linkHolder, { table: filesTable, actions: ['GetItem', 'UpdateItem'] }, audit],
    // Only HEADs the upload, so no use of the key; listing makes a missing object a 404 rather than a 403.
    bucket: [{ prefix: bucketLayout.incomingPrefix, actions: ['HeadObject'], list: true }],
  },
  list: { owner: true, tables: [{ table: filesTable, actions: ['Query'] }] },
  download: {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem'] }, audit],
    bucket: [{ prefix: bucketLayout.filesPrefix, actions: ['GetObject'] }],
  },
  thumbnail: {
    owner: true,
    tables: [{ table: filesTable, actions: ['GetItem'] }, audit],
    bucket: [{ prefix: bucketLayout.thumbsPrefix, actions: ['GetObject'] }],
  },
  'profile-photo': {
    owner: true,
    tables: [{ table: filesTable, actions: ['PutItem', 'GetItem'] }, audit],
    bucket: [
      { prefix: bucketLayout.incomingPrefix, actions: ['PutObject'] },
      { prefix: bucketLayout.profilesPrefix, actions: ['GetObject'] },
    ],
  },
  delete: {
    owner: true,
    tables: [
      { table: filesTable, actions: ['GetItem', 'DeleteItem'] },
      // One transaction removes the record and its charge and gives back the bytes.
      { table: quotasTable, actions: ['GetItem', 'UpdateItem', 'DeleteItem'] },
      audit,
    ],
    bucket: [
      { prefix: bucketLayout.incomingPrefix, actions: ['DeleteObject'] },
      { prefix: bucketLayout.filesPrefix, actions: ['DeleteObject'] },
      { prefix: bucketLayout.thumbsPrefix, actions: ['DeleteObject'] },
    ],
  },
  usage: {
    owner: true,
    // Gives back expired reservations and replaced content past retention before reporting.
    tables: [{ table: quotasTable, actions: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] }],
    settings: ['DEFAULT_QUOTA_BYTES'],
  },
  'audit-trail': { owner: true, tables: [{ table: auditTable, actions: ['Query'] }] },
};
