import * as z from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { folderRef } from '#contracts/api-common';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessFolder } from '#domain/drive/access';
import { createFolder, describeFolder } from '#domain/drive/folders';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

/** POST /api/folders: a new folder at the top level or inside `parentId` (the caller's, or shared with them to edit). */
export const handler = httpHandler(
  {
    authenticate: createAuthenticator({ owner: ownerVerifierFromEnvironment() }),
    body: z.object({ name: z.string().min(1).max(1024), parentId: folderRef.default('root') }).strict(),
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
