import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { fileKey, incomingKey, quarantineKey, thumbKey } from '#contracts/bucket';
import { type AuditLog, type AuditOrigin, recordAudit } from '#domain/audit/audit-trail';
import { accessFile, type DriveDeps } from '#domain/drive/access';
import { deleteFileRecordItem, type FileRecord, type FilesStore, getFile } from '#domain/drive/file-records';
import { countInFolder, releaseName, WriteRefused, writeTogether } from '#domain/drive/name-claims';
import { ROOT } from '#domain/drive/names';
import { quotaReleaseItems } from '#domain/quotas/charges';
import type { QuotaStore } from '#domain/quotas/usage-item';
import type { StorageDeps } from '#domain/uploads/uploads';

/**
 * Removes a file the caller may edit wherever its bytes are (incoming, released, or held in
 * quarantine: a discard), and then its record, giving back the quota it counted in the same
 * transaction. If the validator releases it meanwhile, the validator sees the record gone and
 * removes its copy.
 */
export async function deleteFile(
  deps: DriveDeps & StorageDeps & { readonly quotas: QuotaStore; readonly audit: AuditLog },
  origin: AuditOrigin,
  userId: string,
  fileId: string,
): Promise<void> {
  const { file, ownerId } = await accessFile(deps, userId, fileId, 'edit');
  const held = file.status === 'held';
  const keys = [incomingKey(ownerId, fileId), fileKey(ownerId, fileId), thumbKey(ownerId, fileId)];
  await Promise.all(
    [...keys, ...(held ? [quarantineKey(ownerId, fileId)] : [])].map((Key) =>
      deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key })),
    ),
  );
  await forgetFile(deps.files, deps.quotas, file);
  await recordAudit(deps.audit, origin, {
    ownerId,
    ...(held ? { action: 'file.discard', outcome: 'discarded' } : { action: 'file.delete', outcome: 'deleted' }),
    objectId: fileId,
  });
}

/**
 * The record, the name it holds, its place in its folder's count and what it counts against
 * the quota, in one transaction. A file that never held a name (pending, rejected) gives back
 * only its quota. Renamed, moved or released meanwhile: the transaction is refused, the record
 * read again and the removal tried where it is now.
 */
async function forgetFile(store: FilesStore, quotas: QuotaStore, file: FileRecord): Promise<void> {
  let current: FileRecord | undefined = file;
  for (let attempt = 1; current; attempt++) {
    const named = current.claimed === true && !current.mergedInto;
    const folderId = current.folderId ?? ROOT;
    try {
      await writeTogether(store, [
        deleteFileRecordItem(store, current, named),
        ...(named
          ? [
              releaseName(store, current.ownerId, folderId, current.name, current.fileId),
              ...countInFolder(store, current.ownerId, folderId, -1),
            ]
          : []),
        ...(await quotaReleaseItems(quotas, current.ownerId, current.fileId)),
      ]);
      return;
    } catch (error) {
      if (!(error instanceof WriteRefused) || attempt >= 5) throw error;
      current = await getFile(store, current.ownerId, current.fileId);
    }
  }
}
