import type { Node } from 'constructs';
import { z } from 'zod';
import { limits } from './definitions/limits';

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
  z.array(origin).min(1),
);
const flag = z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());

const settingsSchema = z.object({
  /** Browser origins allowed by the API's and the bucket's CORS; the first is where link URLs point. */
  webOrigins: list,
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
});

export type Settings = z.output<typeof settingsSchema>;

export const SETTING_PREFIX = 'docdrop:';

export function readSettings(node: Node): Settings {
  const raw = Object.fromEntries(
    Object.keys(settingsSchema.shape).map((key) => [key, node.tryGetContext(`${SETTING_PREFIX}${key}`)]),
  );
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${SETTING_PREFIX}${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid docdrop settings in CDK context: ${problems.join('; ')}`);
  }
  return parsed.data;
}
