import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient } from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { Invalid, NotFound } from '#commons/errors';
import { actorOf, type HttpEvent, httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { id, pageQuery } from '#commons/schemas';
import { accessFile, accessFolder } from '#domain/access';
import { recordAudit } from '#domain/audit';
import { getFile } from '#domain/file-records';
import { getFolder } from '#domain/folders';
import { describeShare, listShares, putShare, revokeShare, type ShareRecord, shareRole } from '#domain/shares';
import { findUserByEmail } from '#domain/user-directory';

const config = readConfig('USER_POOL_ID', 'AWS_REGION', 'COGNITO_ENDPOINT');
const db = createDocumentClient();
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);
const directory = new CognitoIdentityProviderClient({
  region: config.AWS_REGION,
  ...(config.COGNITO_ENDPOINT ? { endpoint: config.COGNITO_ENDPOINT } : {}),
});
const authenticate = createAuthenticator({ owner: ownerVerifierFromEnvironment() });

const shareBody = z
  .object({
    email: z.email().max(254),
    role: shareRole,
    fileId: id.optional(),
    // The top level is not a folder that can be shared: share its folders or files.
    folderId: id.refine((value) => value !== 'root', 'the top level cannot be shared').optional(),
  })
  .strict()
  .refine(
    (body) => (body.fileId === undefined) !== (body.folderId === undefined),
    'give exactly one of fileId and folderId',
  );

/**
 * POST /api/shares: shares one of the caller's own files or folders with another user, found
 * by e-mail in the user pool. Only an owner shares (a grantee cannot pass a share on).
 */
const create = httpHandler({ authenticate, body: shareBody }, async ({ body, caller, requestId, sourceIp }) => {
  const ownerId = ownerIdOf(caller);
  // Only the owner shares: a grantee who can see the thing gets 403, anyone else 404.
  const target = body.fileId
    ? { kind: 'file' as const, id: (await accessFile(drive, ownerId, body.fileId, 'owner')).file.fileId }
    : { kind: 'folder' as const, id: (await accessFolder(drive, ownerId, body.folderId as string, 'owner')).folderId };
  const grantee = await findUserByEmail(directory, config.USER_POOL_ID, body.email);
  if (!grantee) throw new NotFound('user_not_found', 'No docdrop user signs in with that e-mail address.');
  if (grantee.userId === ownerId) throw new Invalid('invalid_body', 'Invalid body: you cannot share with yourself.');
  const share = await putShare(drive.shares, {
    ownerId,
    granteeId: grantee.userId,
    granteeEmail: grantee.email,
    targetKind: target.kind,
    targetId: target.id,
    role: body.role,
  });
  await recordAudit(audit, {
    ownerId,
    action: 'share.create',
    actor: actorOf(caller),
    objectId: target.id,
    outcome: `shared:${share.shareId}:${share.role}`,
    requestId,
    sourceIp,
  });
  return { status: 201, body: describeShare(share) };
});

/** The shared thing's current name; undefined once it was deleted (the share then gives nothing). */
async function nameOfTarget(share: ShareRecord): Promise<string | undefined> {
  if (share.targetKind === 'file') return (await getFile(drive.files, share.ownerId, share.targetId))?.name;
  return (await getFolder(drive.files, share.ownerId, share.targetId))?.name;
}

/** GET /api/shares: what the caller shared, newest first, with each thing's name; shares of deleted things are left out. */
const list = httpHandler({ authenticate, query: pageQuery }, async ({ query, caller }) => {
  const page = await listShares(drive.shares, { ownerId: ownerIdOf(caller) }, query);
  const named = await Promise.all(page.shares.map(async (share) => ({ share, name: await nameOfTarget(share) })));
  const items = named.flatMap(({ share, name }) => (name === undefined ? [] : [{ ...describeShare(share), name }]));
  return { status: 200, body: { items, ...(page.cursor ? { cursor: page.cursor } : {}) } };
});

/** DELETE /api/shares/{shareId}: ends the share at once (the next request of the grantee is refused). */
const revoke = httpHandler(
  { authenticate, params: z.object({ shareId: id }) },
  async ({ params, caller, requestId, sourceIp }) => {
    const ownerId = ownerIdOf(caller);
    const share = await revokeShare(drive.shares, ownerId, params.shareId);
    await recordAudit(audit, {
      ownerId,
      action: 'share.revoke',
      actor: actorOf(caller),
      objectId: share.targetId,
      outcome: `revoked:${share.shareId}`,
      requestId,
      sourceIp,
    });
    return { status: 204 };
  },
);

const byMethod = { POST: create, GET: list, DELETE: revoke } as const;

export const handler: typeof list = (event: HttpEvent, context) =>
  (byMethod[event.requestContext.http.method as keyof typeof byMethod] ?? list)(event, context);
