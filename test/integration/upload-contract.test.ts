import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import {
  api,
  describeUpload,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  putToS3,
  s3,
  sha256Base64,
  system,
  TEXT,
  waitForSettled,
} from '../support/harness';

/**
 * The presigned PUT is the only way bytes reach the bucket, so what S3 accepts must be pinned by
 * the signature: key, type, length, checksum and no-overwrite. The emulator verifies SigV4 and
 * expiry, and (patched in local/s3-multipart.ts) the body against the checksum and If-None-Match.
 */

const FILE_NAME = 'Contract secret-name.pdf';
const SIGNED_HEADERS = ['content-length', 'content-type', 'host', 'if-none-match', 'x-amz-checksum-sha256'];

async function presignPdf(owner: Owner) {
  const presign = await api('POST', '/api/uploads', {
    token: owner.idToken,
    body: describeUpload(FILE_NAME, 'application/pdf', PDF),
  });
  expect(presign.status).toBe(201);
  return presign.body as { uploadId: string; url: string; headers: Record<string, string>; expiresAt: string };
}

const signedHeadersOf = (url: string): string[] =>
  (new URL(url).searchParams.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);

/** The S3 error code in an XML error body, to tell a signature mismatch from an expiry. */
async function s3ErrorOf(response: Response): Promise<{ code?: string; message?: string }> {
  const xml = await response.text();
  return { code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] };
}

const otherId = () => `0${randomBytes(12).toString('base64url')}`;

describe('upload contract: the presigned PUT', () => {
  it('puts the object under incoming/<owner>/<uploadId>, never under the file name', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const upload = await presignPdf(owner);

    // assess
    const url = new URL(upload.url);
    expect(decodeURIComponent(url.pathname)).toBe(`/${system.bucket}/incoming/${owner.sub}/${upload.uploadId}`);
    expect(upload.url).not.toContain('secret-name');
    expect(decodeURIComponent(upload.url)).not.toContain('secret-name');
  });

  it('signs content-length, content-type, host, if-none-match and x-amz-checksum-sha256 as headers', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const upload = await presignPdf(owner);

    // assess
    const signed = signedHeadersOf(upload.url);
    for (const header of SIGNED_HEADERS) expect(signed).toContain(header);
    // The client must send each of them as a header: none is hoisted into the query.
    const query = [...new URL(upload.url).searchParams.keys()].map((name) => name.toLowerCase());
    expect(query).not.toContain('x-amz-checksum-sha256');
    expect(query).not.toContain('if-none-match');
    expect(query).not.toContain('content-type');
  });

  it('returns exactly the signed headers (minus host) with the declared values', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const upload = await presignPdf(owner);

    // assess
    const signedWithoutHost = signedHeadersOf(upload.url).filter((header) => header !== 'host');
    expect(Object.keys(upload.headers).sort()).toEqual(signedWithoutHost.sort());
    expect(upload.headers).toEqual({
      'content-type': 'application/pdf',
      'content-length': String(PDF.length),
      'x-amz-checksum-sha256': sha256Base64(PDF),
      'if-none-match': '*',
    });
  });

  it('carries no x-amz-checksum-crc32 parameter (the empty-body CRC that breaks browser uploads)', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const upload = await presignPdf(owner);

    // assess
    const query = [...new URL(upload.url).searchParams.keys()].map((name) => name.toLowerCase());
    expect(query).not.toContain('x-amz-checksum-crc32');
    expect(upload.url.toLowerCase()).not.toContain('crc32');
    expect(signedHeadersOf(upload.url)).not.toContain('x-amz-checksum-crc32');
  });

  it('lives at most 15 minutes', async () => {
    // prepare
    const owner = await newOwner();
    const before = Date.now();

    // act
    const upload = await presignPdf(owner);

    // assess
    const expires = Number(new URL(upload.url).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(0);
    expect(expires).toBeLessThanOrEqual(900);
    expect(Date.parse(upload.expiresAt) - before).toBeLessThanOrEqual(900_000 + 1_000);
  });

  it('accepts exactly the declared upload, which the validator then releases', async () => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);

    // act
    const put = await putToS3(upload, PDF);

    // assess
    expect(put.status).toBe(200);
    const file = await waitForSettled(owner, upload.uploadId);
    expect(file).toMatchObject({ status: 'clean', size: PDF.length, contentType: 'application/pdf' });
  });

  it.each([
    ['another Content-Type', { 'content-type': 'text/html' }],
    ['no x-amz-checksum-sha256 header', { 'x-amz-checksum-sha256': undefined }],
    ['another x-amz-checksum-sha256 value', { 'x-amz-checksum-sha256': sha256Base64(TEXT('other bytes')) }],
    // If-None-Match is signed, so a client cannot drop it to overwrite (the condition itself is
    // enforced: see the overwrite test below).
    ['no If-None-Match header', { 'if-none-match': undefined }],
  ] as const)('refuses the URL sent with %s', async (_case, override) => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);
    const { 'content-length': _length, ...declared } = upload.headers;
    const headers = Object.fromEntries(
      Object.entries({ ...declared, ...override }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );

    // act
    const put = await fetch(upload.url, { method: 'PUT', headers, body: PDF });

    // assess
    expect(put.status).toBe(403);
    expect((await s3ErrorOf(put)).code).toBe('SignatureDoesNotMatch');
  });

  it.each([
    ['a longer body', Uint8Array.from([...PDF, 0x0a])],
    ['a shorter body', PDF.subarray(0, PDF.length - 1)],
  ])('refuses the URL sent with %s than declared', async (_case, body) => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);

    // act: fetch sets Content-Length from the body
    const put = await putToS3(upload, body);

    // assess
    expect(put.status).toBe(403);
    expect((await s3ErrorOf(put)).code).toBe('SignatureDoesNotMatch');
  });

  it.each([
    ['another upload id of the same owner', (owner: string, _id: string) => `incoming/${owner}/${otherId()}`],
    ['the released files/ area (skipping the validator)', (owner: string, id: string) => `files/${owner}/${id}`],
    ['another owner', (_owner: string, id: string) => `incoming/${otherId()}/${id}`],
  ])('refuses the URL pointed at %s', async (_case, retarget) => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);
    const tampered = new URL(upload.url);
    tampered.pathname = `/${system.bucket}/${retarget(owner.sub, upload.uploadId)}`;

    // act
    const put = await putToS3({ url: tampered.toString(), headers: upload.headers }, PDF);

    // assess
    expect(put.status).toBe(403);
    expect((await s3ErrorOf(put)).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses the URL once it has expired', async () => {
    // The API's own URLs live 15 minutes; to see expiry in a test, sign the same request with the
    // same client settings as functions/domain/uploads/uploads.ts (the harness's S3 client is built with
    // them) and a 1 second lifetime.
    // prepare
    const owner = await newOwner();
    const sign = (key: string, expiresIn: number) =>
      getSignedUrl(
        s3,
        new PutObjectCommand({
          Bucket: system.bucket,
          Key: key,
          ContentType: 'application/pdf',
          ContentLength: PDF.length,
          ChecksumSHA256: sha256Base64(PDF),
          IfNoneMatch: '*',
        }),
        {
          expiresIn,
          signableHeaders: new Set(['content-type', 'content-length']),
          unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'if-none-match']),
        },
      );
    const headers = {
      'content-type': 'application/pdf',
      'x-amz-checksum-sha256': sha256Base64(PDF),
      'if-none-match': '*',
    };
    const expiring = await sign(`incoming/${owner.sub}/${otherId()}`, 1);
    // Control: the same signing with a longer lifetime is accepted, so the refusal below is the expiry.
    const live = await sign(`incoming/${owner.sub}/${otherId()}`, 60);
    expect((await putToS3({ url: live, headers }, PDF)).status).toBe(200);

    // act
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const put = await putToS3({ url: expiring, headers }, PDF);

    // assess
    expect(put.status).toBe(403);
    expect(await s3ErrorOf(put)).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
  });

  // The emulator enforces the condition (local/s3-multipart.ts) as S3 does: of two PUTs of the
  // same URL, sent together so the validator cannot have moved the first away, one is refused.
  it('refuses an overwrite: If-None-Match: * is signed, and of two PUTs of the same URL one gets 412', async () => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);
    expect(signedHeadersOf(upload.url)).toContain('if-none-match');
    expect(upload.headers['if-none-match']).toBe('*');

    // act
    const puts = await Promise.all([putToS3(upload, PDF), putToS3(upload, PDF)]);

    // assess
    expect(puts.map((put) => put.status).sort()).toEqual([200, 412]);
    expect(await s3ErrorOf(puts.find((put) => put.status === 412) as Response)).toMatchObject({
      code: 'PreconditionFailed',
    });
    const file = await waitForSettled(owner, upload.uploadId);
    expect(file).toMatchObject({ status: 'clean', size: PDF.length });
  });

  // The emulator checks the body against the signed x-amz-checksum-sha256 (local/s3-multipart.ts),
  // as S3 does: other bytes of the declared length pass the signature and are refused for the digest.
  it('refuses other bytes of the declared length with BadDigest, and stores nothing', async () => {
    // prepare
    const owner = await newOwner();
    const upload = await presignPdf(owner);
    expect(signedHeadersOf(upload.url)).toEqual(expect.arrayContaining(['x-amz-checksum-sha256', 'content-length']));
    expect(upload.headers['x-amz-checksum-sha256']).toBe(sha256Base64(PDF));
    const tampered = Uint8Array.from(PDF);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 0xff;

    // act
    const put = await putToS3(upload, tampered);

    // assess
    expect(put.status).toBe(400);
    expect((await s3ErrorOf(put)).code).toBe('BadDigest');
    expect(await objectExists(`incoming/${owner.sub}/${upload.uploadId}`)).toBe(false);
    // Control: the declared bytes through the same URL are accepted.
    expect((await putToS3(upload, PDF)).status).toBe(200);
  });
});
