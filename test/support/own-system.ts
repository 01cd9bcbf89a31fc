import { createHash, randomUUID } from 'node:crypto';
import type { SystemAddresses } from '../../local/environment';
import { seedOwner, signIn } from '../../local/owners';

/**
 * For tests that run a system of their own (to kill DynamoDB, or `npm start` as a child): an
 * owner signed in there, and its uploads presigned, sent and watched through that system's API.
 */
export interface OwnSystemOwner {
  readonly apiUrl: string;
  readonly idToken: string;
}

export async function ownerOn(system: SystemAddresses): Promise<OwnSystemOwner> {
  const credentials = { email: `owner-${randomUUID()}@example.test`, password: `Pw-${randomUUID()}-A1!` };
  await seedOwner(system, credentials);
  const { idToken } = await signIn(system, credentials);
  return { apiUrl: system.apiUrl, idToken };
}

export interface SignedUpload {
  readonly uploadId: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly bytes: Uint8Array;
}

/** A small, distinct, real PDF each time, so every upload validates to `clean`. */
export const pdfNumbered = (n: number): Uint8Array =>
  new TextEncoder().encode(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${n}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );

export async function presign(owner: OwnSystemOwner, bytes: Uint8Array): Promise<SignedUpload> {
  const response = await fetch(`${owner.apiUrl}/api/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.idToken}` },
    body: JSON.stringify({
      fileName: 'statement.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('base64'),
    }),
  });
  if (response.status !== 201) throw new Error(`presign answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { uploadId: string; url: string; headers: Record<string, string> };
  return { uploadId: body.uploadId, url: body.url, headers: body.headers, bytes };
}

/** PUTs the bytes straight to S3, as a browser does; the status S3 answered. */
export async function send(upload: SignedUpload): Promise<number> {
  const { 'content-length': _length, ...headers } = upload.headers;
  const response = await fetch(upload.url, { method: 'PUT', headers, body: upload.bytes });
  await response.arrayBuffer();
  return response.status;
}

/** Each upload's status in the owner's list (`missing` if it is not listed). */
export async function statusesOf(owner: OwnSystemOwner, uploadIds: readonly string[]): Promise<string[]> {
  const response = await fetch(`${owner.apiUrl}/api/files?limit=100`, {
    headers: { authorization: `Bearer ${owner.idToken}` },
  });
  if (response.status !== 200) return uploadIds.map(() => `unreadable (${response.status})`);
  const { items } = (await response.json()) as { items: { fileId: string; status: string }[] };
  return uploadIds.map((id) => items.find((item) => item.fileId === id)?.status ?? 'missing');
}

/** Polls until no upload is `pending` (or the time is up), and returns their statuses. */
export async function settledStatuses(
  owner: OwnSystemOwner,
  uploadIds: readonly string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await statusesOf(owner, uploadIds).catch(() => uploadIds.map(() => 'unreachable'));
    if (statuses.every((status) => status === 'clean' || status === 'rejected') || Date.now() > deadline)
      return statuses;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export { isDynamoLocal as isDynamoLocalProcess } from '../../local/dynamodb';

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
