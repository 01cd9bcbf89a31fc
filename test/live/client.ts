/**
 * The smoke suite's black-box client: everything it knows of docdrop is `DOCDROP_URL`, what
 * that site's `/config.json` says, the public API, Cognito's public JSON API and the presigned
 * URLs the API hands out. Plain fetch and node:crypto only, so it runs against any deployment
 * (and imports nothing of the project: a unit test holds test/live to that).
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export interface Site {
  /** The API's origin (`/config.json`'s `apiUrl`, or the site's own origin when it is empty). */
  readonly apiBase: string;
  readonly cognitoEndpoint: string;
  readonly userPoolClientId: string;
}

export interface Owner {
  readonly email: string;
  readonly idToken: string;
}

export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** The settings the suite runs on, all from the environment; what is missing is named. */
export function settingsFromEnvironment() {
  const need = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: see "After cdk deploy: the smoke suite" in README.md.`);
    return value;
  };
  return {
    url: need('DOCDROP_URL'),
    owner: {
      email: need('DOCDROP_OWNER_EMAIL'),
      password: need('DOCDROP_OWNER_PASSWORD'),
      totpSecret: process.env.DOCDROP_OWNER_TOTP_SECRET || undefined,
    },
    otherOwner: {
      email: need('DOCDROP_OTHER_OWNER_EMAIL'),
      password: need('DOCDROP_OTHER_OWNER_PASSWORD'),
      totpSecret: process.env.DOCDROP_OTHER_OWNER_TOTP_SECRET || undefined,
    },
  };
}

export async function discover(url: string): Promise<Site> {
  const origin = new URL(url).origin;
  const response = await fetch(`${origin}/config.json`).catch((error: Error) => {
    throw new Error(`docdrop could not be reached at ${origin} (${error.cause ?? error.message})`);
  });
  if (!response.ok)
    throw new Error(`${origin}/config.json answered ${response.status}: is DOCDROP_URL docdrop's address?`);
  const config = (await response.json()) as { apiUrl?: string; cognitoEndpoint?: string; userPoolClientId?: string };
  if (!config.cognitoEndpoint || !config.userPoolClientId) throw new Error(`${origin}/config.json names no user pool`);
  return {
    apiBase: (config.apiUrl || origin).replace(/\/$/, ''),
    cognitoEndpoint: config.cognitoEndpoint,
    userPoolClientId: config.userPoolClientId,
  };
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret, as authenticator apps compute it. */
export function totpCode(base32Secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error('the TOTP secret is not base32');
    bits += value.toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

async function cognito(site: Site, action: string, body: Record<string, unknown>): Promise<any> {
  const response = await fetch(site.cognitoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
    },
    body: JSON.stringify({ ClientId: site.userPoolClientId, ...body }),
  });
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  // The exception's name only: Cognito's messages are not repeated (they may echo the input).
  if (!response.ok) throw new Error(`Cognito ${action} refused: ${String(payload.__type ?? response.status)}`);
  return payload;
}

/** Signs an owner in with USER_PASSWORD_AUTH, answering a TOTP challenge when the pool asks for one. */
export async function signIn(
  site: Site,
  credentials: { email: string; password: string; totpSecret?: string | undefined },
): Promise<Owner> {
  let answer = await cognito(site, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: { USERNAME: credentials.email, PASSWORD: credentials.password },
  });
  if (answer.ChallengeName === 'SOFTWARE_TOKEN_MFA') {
    if (!credentials.totpSecret) throw new Error(`${credentials.email} needs a TOTP code: set its *_TOTP_SECRET`);
    answer = await cognito(site, 'RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: answer.Session,
      ChallengeResponses: { USERNAME: credentials.email, SOFTWARE_TOKEN_MFA_CODE: totpCode(credentials.totpSecret) },
    });
  }
  if (answer.ChallengeName) {
    throw new Error(
      `${credentials.email} is asked for ${answer.ChallengeName}: give it a permanent password (README: the smoke suite)`,
    );
  }
  const idToken = answer.AuthenticationResult?.IdToken;
  if (typeof idToken !== 'string') throw new Error('Cognito returned no ID token');
  return { email: credentials.email, idToken };
}

/** One call to the API, as curl or a browser would make it; the body parsed when it is JSON. */
export async function call<T = any>(
  site: Site,
  method: string,
  path: string,
  options: { token?: string; uploadToken?: string; body?: unknown; rawBody?: string } = {},
): Promise<Answer<T>> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const response = await fetch(`${site.apiBase}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.uploadToken ? { 'x-upload-token': options.uploadToken } : {}),
    },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the case says so
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

/** A small real PDF, different each time (so no two uploads are the same file), recognised by any type check. */
export function pdf(padding = 0): Uint8Array {
  return new TextEncoder().encode(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% docdrop smoke ${randomUUID()} ${'.'.repeat(padding)}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

export const describePdf = (fileName: string, bytes: Uint8Array) => ({
  fileName,
  contentType: 'application/pdf',
  size: bytes.length,
  sha256: sha256Base64(bytes),
});

/** PUTs bytes to a presigned URL with the signed headers it came with; fetch sets Content-Length from the body. */
export async function putSigned(
  upload: { url: string; headers: Record<string, string> },
  bytes: Uint8Array,
  override: Record<string, string> = {},
): Promise<{ status: number; code: string | undefined }> {
  const { 'content-length': _length, ...headers } = upload.headers;
  const response = await fetch(upload.url, { method: 'PUT', headers: { ...headers, ...override }, body: bytes });
  const text = await response.text();
  return { status: response.status, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
}

/** Polls `probe` until it returns a value (not undefined), or fails saying what it last saw. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<{ done: T | undefined; seen: string }>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { done, seen } = await probe();
    if (done !== undefined) return done;
    if (Date.now() > deadline) throw new Error(`${what}: still ${seen} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The file as its owner sees it in the list it was put in. */
export async function fileOf(site: Site, owner: Owner, fileId: string, folderId = 'root'): Promise<any | undefined> {
  const list = await call(site, 'GET', `/api/files?limit=100&folder=${encodeURIComponent(folderId)}`, {
    token: owner.idToken,
  });
  if (list.status !== 200) throw new Error(`GET /api/files answered ${list.status}`);
  return list.body.items.find((item: { fileId: string }) => item.fileId === fileId);
}

/**
 * How long a file may take to leave `pending`: a deployed stack's validator (and, with the
 * malware gate, the scan) runs on S3's event, seconds after the PUT. Three minutes unless
 * `DOCDROP_VERDICT_SECONDS` says otherwise.
 */
const verdictMs = (): number => Number(process.env.DOCDROP_VERDICT_SECONDS || 180) * 1000;

/** Waits until the file leaves `pending`, polling. */
export function settled(site: Site, owner: Owner, fileId: string, folderId = 'root'): Promise<any> {
  return waitFor(
    `file ${fileId}`,
    async () => {
      const file = await fileOf(site, owner, fileId, folderId);
      return { done: file && file.status !== 'pending' ? file : undefined, seen: file?.status ?? 'not listed' };
    },
    verdictMs(),
  );
}

/** The SHA-256 of what a download URL serves. */
export async function downloadedSha256(site: Site, owner: Owner, fileId: string): Promise<string> {
  const download = await call(site, 'GET', `/api/files/${fileId}/download`, { token: owner.idToken });
  if (download.status !== 200) throw new Error(`download answered ${download.status}`);
  const fetched = await fetch(download.body.url);
  if (fetched.status !== 200) throw new Error(`the download URL answered ${fetched.status}`);
  return sha256Base64(new Uint8Array(await fetched.arrayBuffer()));
}
