import type { Node } from 'constructs';
import * as z from 'zod';
import { limits } from '#contracts/limits';
import { malwareScanModes } from '#contracts/malware-scan';

/**
 * What an operator can set with CDK context (`cdk.json` holds the defaults; `-c key=value`
 * overrides). Values from the command line arrive as strings, so numbers, booleans and lists
 * are coerced here, and a bad value stops the synth with its name.
 */
const origin = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) origin' })
  .transform((url) => url.replace(/\/+$/, ''));
const list = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean)
      : value,
  z.array(origin),
);
const flag = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

export const SETTING_PREFIX = 'docdrop:';

const settingsFields = z.object({
  /**
   * Further browser origins allowed by the API's and the bucket's CORS, beside the web app's own
   * address (the CloudFront distribution or `webDomainName`), which is always allowed and is where
   * link URLs point.
   */
  webOrigins: list,
  /** Custom host name of the web app (e.g. docs.example.com); empty for the distribution's own. */
  webDomainName: z.union([
    z.literal(''),
    z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case host name'),
  ]),
  /** ACM certificate for webDomainName; CloudFront takes certificates from us-east-1 only. */
  webCertificateArn: z.union([
    z.literal(''),
    z
      .string()
      .regex(
        /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
        'must be an ACM certificate ARN in us-east-1',
      ),
  ]),
  /** CloudFront edge locations served: PriceClass_100 (North America, Europe), _200, or _All. */
  priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']),
  /** Largest single file in bytes (a presigned PUT carries at most 5 GiB). */
  maxFileBytes: z.coerce.number().int().positive().max(limits.maxFileBytesCeiling),
  /** Images with more pixels (width x height x frames) are refused before decoding. */
  maxImagePixels: z.coerce.number().int().positive(),
  /** Per-owner storage quota in bytes: presigning reserves against it (`DEFAULT_QUOTA_BYTES`). */
  defaultQuotaBytes: z.coerce.number().int().positive(),
  /** Days a replaced or deleted object's old version is kept before it expires. */
  noncurrentVersionDays: z.coerce.number().int().min(1),
  /** Days an audit entry is kept before DynamoDB TTL removes it (`AUDIT_RETENTION_DAYS`). */
  auditRetentionDays: z.coerce.number().int().min(1),
  /** Days CloudWatch keeps function and access logs. */
  logRetentionDays: z.coerce.number().int().min(1),
  /** Where alarms are e-mailed; empty for none. */
  alarmEmail: z.union([z.literal(''), z.email()]),
  /** API stage: the first path segment of the API URL. */
  stageName: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  selfSignUp: flag,
  /** Keep tables, bucket, keys and the user pool when the stack is deleted. Only throwaway stacks set false. */
  retainData: flag,
  throttleRatePerSecond: z.coerce.number().positive(),
  throttleBurst: z.coerce.number().int().positive(),
  /** Minutes between runs of the upload sweep (gives up unsent uploads, redrives the validator's failures). */
  sweepIntervalMinutes: z.coerce.number().int().min(1).max(60),
  /** Every owner must set up an authenticator app (TOTP) and give its code at sign-in; off lets each owner choose. */
  requireMfa: flag,
  /**
   * `guardduty`: GuardDuty Malware Protection for S3 scans every upload and a file is released only
   * when its scan found no threat; `off`: the type check alone decides (contracts/malware-scan.ts).
   */
  malwareScan: z.enum(malwareScanModes),
  /** Days an upload the scan found a threat in, or could not decide on, is kept under `quarantine/` before it is removed. */
  quarantineDays: z.coerce.number().int().min(1),
  /**
   * The address notices are sent from (Amazon SES v2; its domain becomes an identity with DKIM in
   * the stack); empty: owners get no e-mail, the activity trail and the operators' topic still have every notice.
   */
  mailFromAddress: z.union([z.literal(''), z.email()]),
});

const settingsSchema = settingsFields.superRefine((settings, context) => {
  // A custom host name needs its certificate and a certificate its host name.
  if (Boolean(settings.webDomainName) !== Boolean(settings.webCertificateArn)) {
    const [given, missing] = settings.webDomainName
      ? ['webDomainName', 'webCertificateArn']
      : ['webCertificateArn', 'webDomainName'];
    context.addIssue({ code: 'custom', path: [given], message: `needs ${SETTING_PREFIX}${missing} too` });
  }
});

export type Settings = z.output<typeof settingsSchema>;

export function readSettings(node: Node): Settings {
  const raw = Object.fromEntries(
    Object.keys(settingsFields.shape).map((key) => [key, node.tryGetContext(`${SETTING_PREFIX}${key}`)]),
  );
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${SETTING_PREFIX}${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid docdrop settings in CDK context: ${problems.join('; ')}`);
  }
  return parsed.data;
}
