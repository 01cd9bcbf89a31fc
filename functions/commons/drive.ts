import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './clients';
import { readConfig } from './config';

/** The files and shares tables the drive handlers read through the access check. */
export function driveFromEnvironment(db = createDocumentClient()) {
  const { FILES_TABLE, SHARES_TABLE } = readConfig('FILES_TABLE', 'SHARES_TABLE');
  return { files: { db, tableName: FILES_TABLE }, shares: { db, tableName: SHARES_TABLE } };
}

/** The shares table alone, for what changes a share without opening the drive. */
export function sharesFromEnvironment(db: DynamoDBDocumentClient) {
  const { SHARES_TABLE } = readConfig('SHARES_TABLE');
  return { db, tableName: SHARES_TABLE };
}
