import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from './clients';
import { readConfig } from './config';

/** The upload links table, from this function's environment. */
export function linksFromEnvironment(db: DynamoDBDocumentClient = createDocumentClient()) {
  const { LINKS_TABLE } = readConfig('LINKS_TABLE');
  return { db, tableName: LINKS_TABLE };
}
