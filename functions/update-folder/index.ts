import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { Conflict } from '#commons/errors';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { updateFolder as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFolder } from '#domain/drive/access';
import { describeFolder, updateFolder } from '#domain/drive/folders';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** PATCH /api/folders/{folderId}: rename and/or move (`parentId`); nothing under it is copied or changed. */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ params, body, caller, origin }) => {
    const userId = ownerIdOf(caller);
    const folder = await accessFolder(drive, userId, params.folderId, 'edit');
    let parentId: string | undefined;
    if (body.parentId !== undefined) {
      const destination = await accessFolder(drive, userId, body.parentId, 'edit');
      if (destination.ownerId !== folder.ownerId) {
        throw new Conflict('other_drive', "A folder moves only within its owner's drive.");
      }
      parentId = destination.folderId;
    }
    const { before, after } = await updateFolder(drive.files, folder.ownerId, folder.folderId, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
    });
    const fact = { ownerId: folder.ownerId, objectId: after.folderId };
    if (after.name !== before.name) {
      await recordAudit(audit, origin, {
        ...fact,
        action: 'folder.rename',
        outcome: `renamed:${before.name}->${after.name}`,
      });
    }
    if (after.parentId !== before.parentId) {
      await recordAudit(audit, origin, {
        ...fact,
        action: 'folder.move',
        outcome: `moved:${before.parentId}->${after.parentId}`,
      });
    }
    return { status: 200, body: describeFolder(after) };
  },
);
