import { scanResultDetail, scanResultEvent } from '#contracts/malware-scan';
import * as z from '#contracts/zod';

/**
 * The S3 notification event as the validator reads it (the fields it uses; others pass), in
 * the manner of Powertools Parser's `S3Schema`. Keys arrive URL-encoded: see s3-event-keys.ts.
 */
export const s3EventRecordSchema = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string().check(z.minLength(1)), size: z.optional(z.number()) }),
  }),
  // Who sent the upload to S3: the audit trail's source address for the validation.
  requestParameters: z.optional(z.object({ sourceIPAddress: z.optional(z.string().check(z.maxLength(64))) })),
});

export const s3EventSchema = z.object({ Records: z.array(s3EventRecordSchema).check(z.minLength(1)) });

export type S3EventRecord = z.output<typeof s3EventRecordSchema>;

/**
 * GuardDuty's "Malware Protection Object Scan Result" event as EventBridge delivers it to the
 * validator (and as the local stand-in scanner sends it). Its object key is not URL-encoded.
 */
export const scanResultEventSchema = z.object({
  source: z.literal(scanResultEvent.source),
  'detail-type': z.literal(scanResultEvent.detailType),
  detail: scanResultDetail,
});

export type ScanResultEvent = z.output<typeof scanResultEventSchema>;

/** Which of its two triggers an event to the validator is: an S3 notification or a scan result. */
export const isScanResultEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as Record<string, unknown>)['detail-type'] !== undefined;
