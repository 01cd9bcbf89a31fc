import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { defaultOwnerSettings, type OwnerSettings } from '#contracts/api/account';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import type { FilesStore } from '#domain/drive/file-records';

/**
 * An owner's settings live in their own partition of the files table, under a sort key no id
 * can take (`#` is outside the id alphabet), so no file route can read or delete them.
 */
export const SETTINGS_ENTRY = 'settings#owner';

/** The owner's settings, the defaults where they never chose (or never saved any). */
export async function readOwnerSettings(files: FilesStore, ownerId: string): Promise<OwnerSettings> {
  const { Item } = await files.db.send(
    new GetCommand({ TableName: files.tableName, Key: { ownerId, fileId: SETTINGS_ENTRY } }),
  );
  return {
    notices: Item?.notices ?? defaultOwnerSettings.notices,
    pdfActiveContent: Item?.pdfActiveContent ?? defaultOwnerSettings.pdfActiveContent,
  };
}

/** Sets what the owner chose (the rest untouched) and answers every setting as it now stands. */
export async function updateOwnerSettings(
  deps: { readonly files: FilesStore; readonly audit: AuditLog },
  origin: AuditOrigin,
  ownerId: string,
  change: Partial<OwnerSettings>,
  now = new Date(),
): Promise<OwnerSettings> {
  const fields = Object.entries(change).filter(([, value]) => value !== undefined);
  const { Attributes } = await deps.files.db.send(
    new UpdateCommand({
      TableName: deps.files.tableName,
      Key: { ownerId, fileId: SETTINGS_ENTRY },
      UpdateExpression: `SET updatedAt = :now, ${fields.map(([name]) => `#${name} = :${name}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(fields.map(([name]) => [`#${name}`, name])),
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  await recordAudit(deps.audit, origin, {
    ownerId,
    action: 'settings.update',
    objectId: SETTINGS_ENTRY,
    outcome: fields.map(([name, value]) => `${name}=${value}`).join(','),
  });
  return {
    notices: Attributes?.notices ?? defaultOwnerSettings.notices,
    pdfActiveContent: Attributes?.pdfActiveContent ?? defaultOwnerSettings.pdfActiveContent,
  };
}
