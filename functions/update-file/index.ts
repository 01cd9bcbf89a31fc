import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { Conflict } from '#commons/errors';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { updateFile as operation } from '#contracts/api/drive';
import { type AuditAction, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, accessFolder } from '#domain/drive/access';
import { renameOrMoveFile } from '#domain/drive/file-moves';
import { describeFile } from '#domain/drive/file-records';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** PATCH /api/files/{fileId}: rename (`name`) and/or move (`folderId`); the bytes and their key stay. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, body, caller, origin }) => {
    const userId = ownerIdOf(caller);
    const { file, ownerId } = await accessFile(drive, userId, params.fileId, 'edit');
    let folderId: string | undefined;
    if (body.folderId !== undefined) {
      const destination = await accessFolder(drive, userId, body.folderId, 'edit');
      if (destination.ownerId !== ownerId) {
        throw new Conflict('other_drive', "A file moves only within its owner's drive.");
      }
      folderId = destination.folderId;
    }
    const { before, after } = await renameOrMoveFile(drive.files, file, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(folderId !== undefined ? { folderId } : {}),
    });
    const entries: [AuditAction, string][] = [];
    if (after.name !== before.name) entries.push(['file.rename', `renamed:${before.name}->${after.name}`]);
    if (after.folderId !== (before.folderId ?? 'root')) {
      entries.push(['file.move', `moved:${before.folderId ?? 'root'}->${after.folderId}`]);
    }
    for (const [action, outcome] of entries) {
      await recordAudit(audit, origin, {
        ownerId,
        action,
        objectId: file.fileId,
        outcome,
      });
    }
    return { status: 200, body: describeFile(after) };
  },
);
