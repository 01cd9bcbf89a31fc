import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { driveFromEnvironment } from '#commons/drive';
import { Conflict } from '#commons/errors';
import { actorOf, type HttpEvent, httpHandler, ownerIdOf, type Request } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { folderRef, id, pageQuery } from '#commons/schemas';
import { accessFolder } from '#domain/access';
import { type AuditAction, recordAudit } from '#domain/audit';
import { listFolderItems, listOrder } from '#domain/drive-listing';
import { createFolder, deleteFolder, describeFolder, type FolderRecord, updateFolder } from '#domain/folders';

const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const auditLog = auditLogFromEnvironment(db);
const authenticate = createAuthenticator({ owner: ownerVerifierFromEnvironment() });

const folderName = z.string().min(1).max(1024);
const folderParams = z.object({ folderId: id });

async function audit(
  request: Request<unknown, unknown, unknown>,
  ownerId: string,
  action: AuditAction,
  objectId: string,
  outcome: string,
): Promise<void> {
  await recordAudit(auditLog, {
    ownerId,
    action,
    actor: actorOf(request.caller),
    objectId,
    outcome,
    requestId: request.requestId,
    sourceIp: request.sourceIp,
  });
}

/** POST /api/folders: a new folder at the top level or inside `parentId` (the caller's, or shared with them to edit). */
const create = httpHandler(
  { authenticate, body: z.object({ name: folderName, parentId: folderRef.default('root') }).strict() },
  async (request) => {
    const parent = await accessFolder(drive, ownerIdOf(request.caller), request.body.parentId, 'edit');
    const folder = await createFolder(drive.files, parent.ownerId, {
      name: request.body.name,
      parentId: parent.folderId,
    });
    await audit(request, parent.ownerId, 'folder.create', folder.folderId, `created:${folder.name}`);
    return { status: 201, body: describeFolder(folder) };
  },
);

/** GET /api/folders: the subfolders of `parent` (the top level without it), by name unless asked otherwise. */
const list = httpHandler(
  {
    authenticate,
    query: z
      .object({
        ...pageQuery.shape,
        parent: folderRef.default('root'),
        sort: z.enum(['name', 'date']).default('name'),
        order: z.enum(['asc', 'desc']).optional(),
      })
      .strict()
      .transform(({ sort, order, ...rest }) => ({ ...rest, ...listOrder.parse({ sort, order }) })),
  },
  async ({ query, caller }) => {
    const parent = await accessFolder(drive, ownerIdOf(caller), query.parent, 'view');
    const page = await listFolderItems(drive.files, parent.ownerId, parent.folderId, 'folders', query);
    return {
      status: 200,
      body: {
        items: (page.items as FolderRecord[]).map(describeFolder),
        ...(page.cursor ? { cursor: page.cursor } : {}),
      },
    };
  },
);

/** PATCH /api/folders/{folderId}: rename and/or move (`parentId`); nothing under it is copied or changed. */
const update = httpHandler(
  {
    authenticate,
    params: folderParams,
    body: z
      .object({ name: folderName.optional(), parentId: folderRef.optional() })
      .strict()
      .refine((body) => body.name !== undefined || body.parentId !== undefined, 'give a new name, a parentId or both'),
  },
  async (request) => {
    const userId = ownerIdOf(request.caller);
    const folder = await accessFolder(drive, userId, request.params.folderId, 'edit');
    let parentId: string | undefined;
    if (request.body.parentId !== undefined) {
      const destination = await accessFolder(drive, userId, request.body.parentId, 'edit');
      if (destination.ownerId !== folder.ownerId) {
        throw new Conflict('other_drive', "A folder moves only within its owner's drive.");
      }
      parentId = destination.folderId;
    }
    const { before, after } = await updateFolder(drive.files, folder.ownerId, folder.folderId, {
      ...(request.body.name !== undefined ? { name: request.body.name } : {}),
      ...(parentId !== undefined ? { parentId } : {}),
    });
    if (after.name !== before.name) {
      await audit(request, folder.ownerId, 'folder.rename', after.folderId, `renamed:${before.name}->${after.name}`);
    }
    if (after.parentId !== before.parentId) {
      await audit(
        request,
        folder.ownerId,
        'folder.move',
        after.folderId,
        `moved:${before.parentId}->${after.parentId}`,
      );
    }
    return { status: 200, body: describeFolder(after) };
  },
);

/** DELETE /api/folders/{folderId}: only an empty folder (409 `folder_not_empty` otherwise). */
const remove = httpHandler({ authenticate, params: folderParams }, async (request) => {
  const folder = await accessFolder(drive, ownerIdOf(request.caller), request.params.folderId, 'edit');
  const deleted = await deleteFolder(drive.files, folder.ownerId, folder.folderId);
  await audit(request, folder.ownerId, 'folder.delete', deleted.folderId, `deleted:${deleted.name}`);
  return { status: 204 };
});

const byMethod = { POST: create, GET: list, PATCH: update, DELETE: remove } as const;

export const handler: typeof list = (event: HttpEvent, context) =>
  (byMethod[event.requestContext.http.method as keyof typeof byMethod] ?? list)(event, context);
