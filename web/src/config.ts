/** What `/config.json` says: written by the local system or at deploy time, so one build serves both. */
export interface AppConfig {
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly cognitoEndpoint: string;
  /** The largest file an owner may upload (the operator's setting): checked before sending. */
  readonly maxFileBytes: number;
  /** The pool requires TOTP of every owner (`docdrop:requireMfa`): it cannot be turned off. */
  readonly requireMfa: boolean;
}

const KEYS = ['apiUrl', 'region', 'userPoolId', 'userPoolClientId', 'cognitoEndpoint'] as const;

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`The app's settings could not be loaded (HTTP ${response.status}).`);
  const raw = (await response.json()) as Record<string, unknown>;
  for (const key of KEYS) {
    if (typeof raw[key] !== 'string') throw new Error(`The app's settings lack "${key}".`);
  }
  if (!Number.isSafeInteger(raw.maxFileBytes) || (raw.maxFileBytes as number) <= 0) {
    throw new Error(`The app's settings lack "maxFileBytes".`);
  }
  const config = raw as unknown as AppConfig;
  // An empty or relative apiUrl means the API is on this origin (behind the same CDN).
  const apiUrl = new URL(config.apiUrl || '/', location.origin).href.replace(/\/$/, '');
  // Absent (a config.json written before the setting existed): the pool's MFA is optional.
  return { ...config, apiUrl, requireMfa: raw.requireMfa === true };
}
