import { limits } from '#contracts/limits';
import { malwareScanModes } from '#contracts/malware-scan';
import * as z from '#contracts/zod';

/**
 * Every environment variable a function may read, with its schema. A handler asks for the
 * ones it uses at module load (`readConfig('FILES_TABLE', ...)`), so a missing or bad one
 * fails the cold start with its name, not a request later.
 */
const webUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const name = (minLength = 1) => z.string().check(z.minLength(minLength));
const positiveInteger = () => z.coerce.number().check(z.int(), z.positive());

const variables = {
  AWS_REGION: name(),
  LINKS_TABLE: name(),
  FILES_TABLE: name(),
  AUDIT_TABLE: name(),
  SHARES_TABLE: name(),
  QUOTAS_TABLE: name(),
  NOTICES_TABLE: name(),
  BUCKET_NAME: name(3),
  USER_POOL_ID: z.string().check(z.regex(/^[\w-]+_[0-9A-Za-z]+$/, 'must look like <region>_<id>')),
  USER_POOL_CLIENT_ID: name(),
  /** Origin of the web app; link URLs point at `<WEB_BASE_URL>/u/#<token>`. */
  WEB_BASE_URL: z.pipe(
    webUrl(),
    z.transform((url: string) => url.replace(/\/+$/, '')),
  ),
  MAX_FILE_BYTES: z._default(positiveInteger().check(z.lte(limits.maxFileBytesCeiling)), limits.maxFileBytes),
  /** The queue of arrival notices the validator hands to the sender (send-notices). */
  NOTICE_QUEUE_URL: webUrl(),
  /** The sender address (`docdrop:mailFromAddress`); unset: no e-mail is sent. */
  MAIL_FROM_ADDRESS: z.optional(z.email()),
  /** The SES configuration set the e-mails are sent with (the stack's, when it has a sender address). */
  MAIL_CONFIGURATION_SET: z.optional(name()),
  /** Local system only: e-mails are written as `.eml` files here instead of sent. */
  LOCAL_MAIL_DIR: z.optional(name()),
  /** Local system only: the local notice queue's SQS API. */
  SQS_ENDPOINT: z.optional(webUrl()),
  /** The cloud's notifications topic; unset locally, where notices are printed. */
  NOTIFICATION_TOPIC_ARN: z.optional(z.string().check(z.startsWith('arn:'))),
  MAX_IMAGE_PIXELS: z._default(positiveInteger(), limits.maxImagePixels),
  /** Each owner's storage quota in bytes. */
  DEFAULT_QUOTA_BYTES: z._default(positiveInteger(), limits.quota.defaultBytes),
  /** Days the bucket keeps a replaced version (`docdrop:noncurrentVersionDays`): its bytes count until then. */
  NONCURRENT_VERSION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1)), limits.noncurrentVersionDays),
  /** Lifetime of a signed upload URL in seconds (tests shorten it to see uploads expire). */
  UPLOAD_URL_SECONDS: z._default(positiveInteger().check(z.lte(limits.uploadUrlSeconds)), limits.uploadUrlSeconds),
  /** Seconds after its URL expired that an unsent upload is given up by the sweep (tests shorten it). */
  UPLOAD_GRACE_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.gte(0), z.lte(limits.quota.reservationGraceSeconds)),
    limits.quota.reservationGraceSeconds,
  ),
  /**
   * An upload in storage this many seconds and still pending has lost its event: the sweep and
   * confirm ask the validator to run (it usually settles within seconds). Tests shorten it.
   */
  LOST_EVENT_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0), z.lte(3600)), 30),
  /** The validator's function name: the sweep and confirm ask it to run on an upload whose event was lost. */
  VALIDATOR_FUNCTION_NAME: name(),
  /** The cloud's validator failure queue, redriven by the sweep; unset locally, where failures are kept on disk. */
  VALIDATOR_FAILURES_QUEUE_URL: z.optional(webUrl()),
  /** Local system only: the emulated Lambda Invoke API (the cloud's is found by the SDK). */
  LAMBDA_ENDPOINT: z.optional(webUrl()),
  /** The malware gate (`docdrop:malwareScan`): `guardduty` releases a file only once its scan found no threat. */
  MALWARE_SCAN: z._default(z.enum(malwareScanModes), 'off'),
  /** Days a malware rejection's or held file's bytes stay under `quarantine/` (`docdrop:quarantineDays`). */
  QUARANTINE_DAYS: z._default(positiveInteger(), 30),
  /**
   * An upload in storage this many seconds with no scan result is held (`scan_missing`): its
   * result event was lost. GuardDuty usually answers in minutes. Tests shorten it.
   */
  SCAN_MISSING_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(0)), 3600),
  /** Days an audit entry is kept (its TTL). */
  AUDIT_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.gte(1)), limits.auditRetentionDays),
  /** Local system only: emulator endpoints. Unset in Lambda, where the SDK finds AWS. */
  S3_ENDPOINT: z.optional(webUrl()),
  DYNAMODB_ENDPOINT: z.optional(webUrl()),
  /** Local system only: where cognito-local publishes its keys (the cloud verifier fetches Cognito's own). */
  COGNITO_JWKS_URI: z.optional(webUrl()),
  /** Local system only: cognito-local's API, where the shares function looks users up. */
  COGNITO_ENDPOINT: z.optional(webUrl()),
} as const;

type Variables = typeof variables;
export type Config<K extends keyof Variables> = { readonly [P in K]: z.output<Variables[P]> };

export class ConfigError extends Error {}

export function readConfig<K extends keyof Variables>(...names: K[]): Config<K> {
  const config: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const name of names) {
    const parsed = variables[name].safeParse(process.env[name] === '' ? undefined : process.env[name]);
    if (parsed.success) config[name] = parsed.data;
    else problems.push(`${name}: ${process.env[name] === undefined ? 'missing' : parsed.error.issues[0]?.message}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return config as Config<K>;
}
