import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { api, db, describeUpload, type Owner, putToS3, TEXT, tableName } from './harness';

/**
 * Drive helpers for the folder and sharing tests: uploads that land in a folder and wait for
 * the validator, folders, and the owner's audit trail read straight from the table.
 */

/** A small PDF whose bytes differ by label, so a replaced version can be told from the old one. */
export const pdfWith = (label: string): Uint8Array => TEXT(`%PDF-1.4\n% ${label}\n%%EOF\n`);

/** Confirms until the validator has settled the upload; answers what confirm says then. */
export async function settled(
  caller: Owner,
  uploadId: string,
  timeoutMs = 10_000,
): Promise<{ fileId: string; status: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const confirm = await api('POST', `/api/uploads/${uploadId}/confirm`, { token: caller.idToken });
    if (confirm.status === 200 && confirm.body.status !== 'pending') return confirm.body;
    if (confirm.status !== 200 && confirm.status !== 409) {
      throw new Error(`confirm answered ${confirm.status} ${JSON.stringify(confirm.body)}`);
    }
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} still pending after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Presigns (into a folder, with a conflict rule), PUTs and waits for the release. */
export async function uploadInto(
  caller: Owner,
  fileName: string,
  options: { folderId?: string; onConflict?: 'keep-both' | 'replace'; bytes?: Uint8Array } = {},
): Promise<{ uploadId: string; fileId: string; status: string }> {
  const bytes = options.bytes ?? pdfWith(fileName);
  const presign = await api('POST', '/api/uploads', {
    token: caller.idToken,
    body: {
      ...describeUpload(fileName, 'application/pdf', bytes),
      ...(options.folderId ? { folderId: options.folderId } : {}),
      ...(options.onConflict ? { onConflict: options.onConflict } : {}),
    },
  });
  expect(presign.status, JSON.stringify(presign.body)).toBe(201);
  expect((await putToS3(presign.body, bytes)).status).toBe(200);
  const result = await settled(caller, presign.body.uploadId);
  return { uploadId: presign.body.uploadId, ...result };
}

export async function newFolder(caller: Owner, name: string, parentId?: string): Promise<string> {
  const created = await api('POST', '/api/folders', {
    token: caller.idToken,
    body: { name, ...(parentId ? { parentId } : {}) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.folderId;
}

/** Every file of a folder as the caller sees it (all pages). */
export async function filesIn(caller: Owner, folderId = 'root', query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await api(
      'GET',
      `/api/files?folder=${folderId}&limit=100${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token: caller.idToken },
    );
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

export const namesOf = (items: { name: string }[]): string[] => items.map((item) => item.name);

/** The owner's audit trail, straight from the table. */
export async function trailOf(owner: Owner): Promise<Record<string, any>[]> {
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName('AUDIT_TABLE'),
      KeyConditionExpression: 'ownerId = :owner',
      ExpressionAttributeValues: { ':owner': owner.sub },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** Waits for an entry the validator writes after the release (it is not part of the API answer). */
export async function waitForTrailEntry(
  owner: Owner,
  matches: (entry: Record<string, any>) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entry = (await trailOf(owner)).find(matches);
    if (entry) return entry;
    if (Date.now() > deadline) throw new Error('no such audit entry');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
