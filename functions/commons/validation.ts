import { backgroundCalls } from '#contracts/limits';
import {
  auditLogFromEnvironment,
  createDocumentClient,
  quotasFromEnvironment,
  storageFromEnvironment,
} from './clients';
import { readConfig } from './config';
import { sharesFromEnvironment } from './drive';
import { linksFromEnvironment } from './links';
import { noticeQueueFromEnvironment } from './notices';

/** What the validator touches (bucket, files, quotas, trail, notices), from this function's environment. */
export function uploadEventsFromEnvironment(db = createDocumentClient(backgroundCalls)) {
  const config = readConfig(
    'MAX_IMAGE_PIXELS',
    'NONCURRENT_VERSION_DAYS',
    'MALWARE_SCAN',
    'QUARANTINE_DAYS',
    'SCAN_MISSING_SECONDS',
  );
  const audit = auditLogFromEnvironment(db);
  return {
    ...storageFromEnvironment(db, backgroundCalls),
    quotas: quotasFromEnvironment(db),
    links: linksFromEnvironment(db),
    shares: sharesFromEnvironment(db),
    images: { maxPixels: config.MAX_IMAGE_PIXELS },
    noncurrentVersionDays: config.NONCURRENT_VERSION_DAYS,
    malware: {
      mode: config.MALWARE_SCAN,
      quarantineDays: config.QUARANTINE_DAYS,
      scanMissingAfterMs: config.SCAN_MISSING_SECONDS * 1000,
    },
    audit,
    notices: { audit, queue: noticeQueueFromEnvironment() },
  };
}
