import { createAuthenticator } from '#commons/authenticate';
import { auditLogFromEnvironment, createDocumentClient, storageFromEnvironment } from '#commons/clients';
import { readConfig } from '#commons/config';
import { driveFromEnvironment } from '#commons/drive';
import { httpHandler, ownerIdOf } from '#commons/http';
import { ownerVerifierFromEnvironment } from '#commons/owner-verifier';
import { confirmOwnerUpload as operation } from '#contracts/api/uploads';
import { recordAudit } from '#domain/audit/audit-trail';
import { accessUpload } from '#domain/drive/access';
import { authenticateLinkToken } from '#domain/links/upload-links';
import { confirmUpload } from '#domain/uploads/uploads';

const config = readConfig('LINKS_TABLE');
const db = createDocumentClient();
const links = { db, tableName: config.LINKS_TABLE };
const storage = storageFromEnvironment(db);
const drive = driveFromEnvironment(db);
const audit = auditLogFromEnvironment(db);

export const handler = httpHandler(
  {
    ...operation,
    authenticate: createAuthenticator({
      owner: ownerVerifierFromEnvironment(),
      link: (token) => authenticateLinkToken(links, token),
    }),
  },
  async ({ params, caller, origin }) => {
    // A link holder reaches only the uploads made through its own link; a signed-in user their
    // own uploads, or the ones they made into a folder shared with them to edit.
    const linkId = caller.kind === 'link' ? caller.linkId : undefined;
    const ownerId =
      caller.kind === 'link' ? caller.ownerId : (await accessUpload(drive, ownerIdOf(caller), params.uploadId)).ownerId;
    const file = await confirmUpload(storage, { ownerId, linkId }, params.uploadId);
    await recordAudit(audit, origin, {
      ownerId,
      action: 'upload.confirm',
      objectId: file.fileId,
      outcome: file.status,
    });
    const outcome = { status: file.status, ...(file.reason ? { reason: file.reason } : {}) };
    return {
      status: 200,
      body:
        caller.kind === 'link'
          ? { uploadId: file.fileId, ...outcome }
          : // A replace upload became a new version of the file it replaced: that is the file to name.
            { fileId: file.mergedInto ?? file.fileId, ...outcome },
    };
  },
);
