import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { createFolder as operation } from '#contracts/api/drive';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFolder } from '#domain/drive/access';
import { createFolder, describeFolder } from '#domain/drive/folders';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** POST /api/folders: a new folder at the top level or inside `parentId` (the caller's, or shared with them to edit). */
export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
  },
  async ({ body, caller, origin }) => {
    const parent = await accessFolder(drive, ownerIdOf(caller), body.parentId, 'edit');
    const folder = await createFolder(drive.files, parent.ownerId, { name: body.name, parentId: parent.folderId });
    await recordAudit(audit, origin, {
      ownerId: parent.ownerId,
      action: 'folder.create',
      objectId: folder.folderId,
      outcome: `created:${folder.name}`,
    });
    return { status: 201, body: describeFolder(folder) };
  },
);
