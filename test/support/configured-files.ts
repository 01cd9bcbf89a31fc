import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { S3_CREDENTIALS } from '../../local/environment';
import type { ConfiguredSystem } from './configured-system';
import { describeUpload } from './harness';

/** A test's own system seen as its owner and the bucket see it: uploads, the list, the trail, stored keys. */

export const s3Of = (system: ConfiguredSystem) =>
  new S3Client({
    region: system.local.region,
    endpoint: system.local.s3Endpoint,
    forcePathStyle: true,
    credentials: S3_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

export async function stored(system: ConfiguredSystem, key: string): Promise<boolean> {
  try {
    await s3Of(system).send(new HeadObjectCommand({ Bucket: system.local.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

/** Presigns and PUTs bytes as the system's owner; its upload id. */
export async function upload(system: ConfiguredSystem, bytes: Uint8Array, fileName: string, contentType: string) {
  const signed = await system.call('POST', '/api/uploads', {
    token: system.owner.idToken,
    body: describeUpload(fileName, contentType, bytes),
  });
  expect(signed.status).toBe(201);
  const { 'content-length': _length, ...headers } = signed.body.headers as Record<string, string>;
  const put = await fetch(signed.body.url, { method: 'PUT', headers, body: bytes });
  expect(put.status).toBe(200);
  return signed.body.uploadId as string;
}

export async function listed(system: ConfiguredSystem, fileId: string) {
  const list = await system.call('GET', '/api/files?limit=100', { token: system.owner.idToken });
  return list.body.items.find((item: { fileId: string }) => item.fileId === fileId);
}

export async function statusBecomes(system: ConfiguredSystem, fileId: string, status: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = await listed(system, fileId);
    if (file?.status === status) return file;
    if (Date.now() > deadline) throw new Error(`file ${fileId} still ${file?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function trailOf(system: ConfiguredSystem, fileId: string) {
  const trail = await system.call('GET', '/api/audit?limit=100', { token: system.owner.idToken });
  return (trail.body.items as { action: string; actor: string; outcome: string; objectId: string }[])
    .filter((entry) => entry.objectId === fileId)
    .map(({ action, actor, outcome }) => ({ action, actor, outcome }));
}

export const usageOf = async (system: ConfiguredSystem) =>
  (await system.call('GET', '/api/usage', { token: system.owner.idToken })).body;
