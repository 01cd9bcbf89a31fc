import { type ScanResult, scanResultDetail, scanResultEvent } from '#contracts/malware-scan';
import * as z from '#contracts/zod';
import { decodeEventKey } from './s3-event-keys';

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

/** What the validator is asked to settle, read from either of its triggers for this bucket. */
export type ValidatorWork =
  | { readonly kind: 'arrivals'; readonly arrivals: { key: string; sourceIp?: string }[]; readonly ignored: string[] }
  | { readonly kind: 'scan'; readonly scan?: { key: string; result: ScanResult; threats: string[] } };

/**
 * Parses an event to the validator (schema-checked, so a malformed one throws): S3's records of
 * objects created in `bucket`, keys decoded, or one scan result for it. Other buckets' and other
 * kinds' records are named in `ignored`; a scan result for another bucket has no `scan`.
 */
export function validatorWork(event: unknown, bucket: string): ValidatorWork {
  if (isScanResultEvent(event)) {
    const { detail } = scanResultEventSchema.parse(event);
    if (detail.s3ObjectDetails.bucketName !== bucket) return { kind: 'scan' };
    const { scanResultStatus, threats } = detail.scanResultDetails;
    return {
      kind: 'scan',
      scan: {
        key: detail.s3ObjectDetails.objectKey,
        result: scanResultStatus,
        threats: (threats ?? []).map((threat) => threat.name),
      },
    };
  }
  const arrivals: { key: string; sourceIp?: string }[] = [];
  const ignored: string[] = [];
  for (const record of s3EventSchema.parse(event).Records) {
    if (record.s3.bucket.name !== bucket || !record.eventName.startsWith('ObjectCreated:')) {
      ignored.push(record.eventName);
      continue;
    }
    const sourceIp = record.requestParameters?.sourceIPAddress;
    arrivals.push({ key: decodeEventKey(record.s3.object.key), ...(sourceIp ? { sourceIp } : {}) });
  }
  return { kind: 'arrivals', arrivals, ignored };
}
