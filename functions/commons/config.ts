import * as z from 'zod';
import { limits } from '#contracts/limits';

/**
 * Every environment variable a function may read, with its schema. A handler asks for the
 * ones it uses at module load (`readConfig('FILES_TABLE', ...)`), so a missing or bad one
 * fails the cold start with its name, not a request later.
 */
const webUrl = () => z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const variables = {
  AWS_REGION: z.string().min(1),
  LINKS_TABLE: z.string().min(1),
  FILES_TABLE: z.string().min(1),
  AUDIT_TABLE: z.string().min(1),
  SHARES_TABLE: z.string().min(1),
  QUOTAS_TABLE: z.string().min(1),
  BUCKET_NAME: z.string().min(3),
  USER_POOL_ID: z.string().regex(/^[\w-]+_[0-9A-Za-z]+$/, 'must look like <region>_<id>'),
  USER_POOL_CLIENT_ID: z.string().min(1),
  /** Origin of the web app; link URLs point at `<WEB_BASE_URL>/u/#<token>`. */
  WEB_BASE_URL: webUrl().transform((url) => url.replace(/\/+$/, '')),
  MAX_FILE_BYTES: z.coerce.number().int().positive().max(limits.maxFileBytesCeiling).default(limits.maxFileBytes),
  /** The cloud's notifications topic; unset locally, where notices are printed. */
  NOTIFICATION_TOPIC_ARN: z.string().startsWith('arn:').optional(),
  MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(limits.maxImagePixels),
  /** Each owner's storage quota in bytes. */
  DEFAULT_QUOTA_BYTES: z.coerce.number().int().positive().default(limits.quota.defaultBytes),
  /** Days an audit entry is kept (its TTL). */
  /** Days the bucket keeps a replaced version (`docdrop:noncurrentVersionDays`): its bytes count until then. */
  NONCURRENT_VERSION_DAYS: z.coerce.number().int().min(1).default(limits.noncurrentVersionDays),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(limits.auditRetentionDays),
  /** Local system only: emulator endpoints. Unset in Lambda, where the SDK finds AWS. */
  S3_ENDPOINT: webUrl().optional(),
  DYNAMODB_ENDPOINT: webUrl().optional(),
  /** Local system only: where cognito-local publishes its keys (the cloud verifier fetches Cognito's own). */
  COGNITO_JWKS_URI: webUrl().optional(),
  /** Local system only: cognito-local's API, where the shares function looks users up. */
  COGNITO_ENDPOINT: webUrl().optional(),
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
