import {
  auditLogFromEnvironment,
  createDocumentClient,
  createS3Client,
  quotasFromEnvironment,
  signingStorageFromEnvironment,
} from './clients';
import { readConfig } from './config';
import { driveFromEnvironment } from './drive';
import { linksFromEnvironment } from './links';

/** What signing an upload touches (the destination, the quota, the link, the trail), from this function's environment. */
export function uploadSigningFromEnvironment(db = createDocumentClient()) {
  const { MAX_FILE_BYTES, DEFAULT_QUOTA_BYTES, UPLOAD_URL_SECONDS } = readConfig(
    'MAX_FILE_BYTES',
    'DEFAULT_QUOTA_BYTES',
    'UPLOAD_URL_SECONDS',
  );
  return {
    // The S3 client opens multipart uploads (CreateMultipartUpload, and AbortMultipartUpload if recording fails).
    storage: { ...signingStorageFromEnvironment(db), s3: createS3Client() },
    drive: driveFromEnvironment(db),
    quotas: quotasFromEnvironment(db),
    links: linksFromEnvironment(db),
    audit: auditLogFromEnvironment(db),
    maxFileBytes: MAX_FILE_BYTES,
    quotaBytes: DEFAULT_QUOTA_BYTES,
    uploadUrlSeconds: UPLOAD_URL_SECONDS,
  };
}
