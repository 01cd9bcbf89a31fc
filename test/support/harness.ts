import { createHash, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect, inject } from 'vitest';
import { seedOwner, signIn } from '../../local/owners';
import { assertDocumentedResponse } from './api-description';

/**
 * What integration tests use to reach the local system: its addresses, real SDK clients for
 * the emulators, owners signed in through Cognito, and an HTTP helper for the API.
 */
export const system = inject('system');

export const s3 = new S3Client({
  region: system.region,
  endpoint: system.s3Endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

export const db = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    region: system.region,
    endpoint: system.dynamodbEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }),
);

export const tableName = (envVar: 'LINKS_TABLE' | 'FILES_TABLE' | 'AUDIT_TABLE'): string =>
  system.tableNames[envVar] as string;

export interface Owner {
  readonly email: string;
  readonly idToken: string;
  readonly accessToken: string;
  readonly sub: string;
}

const subOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).sub;

/** A new confirmed owner, signed in with USER_PASSWORD_AUTH: each test gets its own tenant. */
export async function newOwner(): Promise<Owner> {
  const owner = { email: `owner-${randomUUID()}@example.test`, password: `Pw-${randomUUID()}-A1!` };
  await seedOwner(system, owner);
  const { idToken, accessToken } = await signIn(system, owner);
  return { email: owner.email, idToken, accessToken, sub: subOf(idToken) };
}

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/**
 * Calls the API through the gateway, as a browser or curl would. Every answer of a route is
 * checked against the API description (status listed, body valid): a test whose response the
 * description does not promise fails loudly, naming the route, the status and what is wrong.
 */
export async function api<T = any>(
  method: string,
  path: string,
  options: {
    token?: string;
    uploadToken?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse<T>> {
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const url = new URL(`${system.apiUrl}${path}`);
  const response = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.uploadToken ? { 'x-upload-token': options.uploadToken } : {}),
      ...options.headers,
    },
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the test will say so
  }
  assertDocumentedResponse(method, url, response.status, parsed);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** Every refusal the API makes carries `{ error: { code, message } }`. */
export function expectError(response: ApiResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  expect(typeof response.body.error.message).toBe('string');
  expect(response.body.error.message.length).toBeGreaterThan(0);
}

export const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

export const describeUpload = (fileName: string, contentType: string, bytes: Uint8Array) => ({
  fileName,
  contentType,
  size: bytes.length,
  sha256: sha256Base64(bytes),
});

/** PUTs bytes to a presigned URL with the headers the API returned (minus content-length, which fetch sets). */
export async function putToS3(
  upload: { url: string; headers: Record<string, string> },
  bytes: Uint8Array,
  override: Record<string, string> = {},
): Promise<Response> {
  const { 'content-length': _length, ...headers } = upload.headers;
  return fetch(upload.url, { method: 'PUT', headers: { ...headers, ...override }, body: bytes });
}

/** Whether `key` is stored: in the shared system's bucket, or (for a test with a system of its own) in the one given. */
export async function objectExists(
  key: string,
  at: { client: S3Client; bucket: string } = { client: s3, bucket: system.bucket },
): Promise<boolean> {
  try {
    await at.client.send(new HeadObjectCommand({ Bucket: at.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

/** Polls the owner's list until the file leaves `pending` (the validator runs on the S3 event). */
export async function waitForSettled(owner: Owner, fileId: string, timeoutMs = 10_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await api('GET', '/api/files?limit=100', { token: owner.idToken });
    const file = list.body.items?.find((item: { fileId: string }) => item.fileId === fileId);
    if (file && file.status !== 'pending') return file;
    if (Date.now() > deadline)
      throw new Error(`file ${fileId} still ${file?.status ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const TEXT = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A small real PDF (enough for file-type to recognise it). */
export const PDF = TEXT(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** A 1x1 PNG. */
export const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

/** The start of an ELF executable: what a disguised program looks like. */
export const ELF = Uint8Array.from([
  0x7f,
  0x45,
  0x4c,
  0x46,
  0x02,
  0x01,
  0x01,
  0x00,
  ...new Array(56).fill(0),
  ...TEXT('payload'),
]);
