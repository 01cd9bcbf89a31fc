import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { newFileId } from '#commons/ids';

const RETENTION_DAYS = 365;

export type AuditAction =
  | 'link.create'
  | 'link.revoke'
  | 'upload.presign'
  | 'upload.confirm'
  | 'upload.validate'
  | 'link.arrival'
  | 'file.download'
  | 'file.delete'
  | 'file.rename'
  | 'file.move'
  | 'file.replace'
  | 'folder.create'
  | 'folder.rename'
  | 'folder.move'
  | 'folder.delete'
  | 'share.create'
  | 'share.revoke';

export interface AuditEntry {
  readonly ownerId: string;
  readonly action: AuditAction;
  /** `user:<sub>`, `link:<linkId>` or `system:validator`. Never a token. */
  readonly actor: string;
  readonly objectId: string;
  readonly outcome: string;
  readonly requestId?: string;
  readonly sourceIp?: string;
}

/** Appends one line to the owner's trail; ids are time-ordered so the trail reads newest first. */
export async function recordAudit(
  db: DynamoDBDocumentClient,
  tableName: string,
  entry: AuditEntry,
  now = new Date(),
): Promise<void> {
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: {
        ...entry,
        eventId: newFileId(now.getTime()),
        at: now.toISOString(),
        ttl: Math.floor(now.getTime() / 1000) + RETENTION_DAYS * 86_400,
      },
    }),
  );
}
