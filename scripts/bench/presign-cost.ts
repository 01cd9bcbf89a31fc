/**
 * What one presigned upload URL costs in CPU, against its floor: the SigV4 key derivation and
 * signature HMACs done with node:crypto alone. Beside it the signer the handlers use
 * (S3RequestPresigner on a bare request, functions/commons/url-signer.ts) and the SDK's
 * getSignedUrl on an S3Client, each signing the same PUT (key, type, length, SHA-256, If-None-Match).
 */
import { createHash, createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export const BENCH_REGION = 'eu-west-1';
const REGION = BENCH_REGION;
const BUCKET = 'bench-documents';
const KEY = 'incoming/0f8fad5b-d9cb-469f-a165-70867728950e/01JBENCHBENCHBENCHBENCH0000';
export const BENCH_CREDENTIALS = {
  accessKeyId: 'ASIABENCHBENCHBENCH0',
  secretAccessKey: 'bench/bench/bench/bench/bench/bench/benc',
};
const CREDENTIALS = BENCH_CREDENTIALS;
const SHA256 = createHash('sha256').update('x').digest('base64');
const HEADERS = {
  'content-type': 'application/pdf',
  'content-length': '1000',
  'x-amz-checksum-sha256': SHA256,
  'if-none-match': '*',
};

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The floor: what any SigV4 presign must compute (canonical request hash, 4 derivation HMACs, the signature). */
export function hmacFloor(now: Date): string {
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const signedHeaders = 'content-length;content-type;host;if-none-match;x-amz-checksum-sha256';
  const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`${CREDENTIALS.accessKeyId}/${scope}`)}&X-Amz-Date=${amzDate}&X-Amz-Expires=300&X-Amz-SignedHeaders=${encodeURIComponent(signedHeaders)}`;
  const host = `${BUCKET}.s3.${REGION}.amazonaws.com`;
  const canonical = `PUT\n/${KEY}\n${query}\ncontent-length:1000\ncontent-type:application/pdf\nhost:${host}\nif-none-match:*\nx-amz-checksum-sha256:${SHA256}\n\n${signedHeaders}\nUNSIGNED-PAYLOAD`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), REGION), 's3'), 'aws4_request');
  return `https://${host}/${KEY}?${query}&X-Amz-Signature=${hmac(key, toSign).toString('hex')}`;
}

async function perCall(sign: () => Promise<unknown> | unknown, calls: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < calls; i++) await sign();
  return (performance.now() - started) / calls;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export async function measurePresignCost(options: { rounds?: number; calls?: number } = {}): Promise<void> {
  const rounds = options.rounds ?? 7;
  const calls = options.calls ?? 2000;
  // The signer reads its configuration as a handler does, from the environment.
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  delete process.env.S3_ENDPOINT;
  const { createUrlSigner } = await import('#commons/url-signer');
  const signer = createUrlSigner();
  const s3 = new S3Client({
    region: REGION,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const candidates: Record<string, () => Promise<unknown> | unknown> = {
    'HMAC floor (node:crypto)': () => hmacFloor(new Date()),
    'UrlSigner: S3RequestPresigner, bare request': () =>
      signer.presign({
        method: 'PUT',
        bucket: BUCKET,
        key: KEY,
        headers: HEADERS,
        unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'if-none-match']),
        expiresIn: 300,
      }),
    'getSignedUrl on an S3Client': () =>
      getSignedUrl(
        s3,
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: KEY,
          ContentType: 'application/pdf',
          ContentLength: 1000,
          ChecksumSHA256: SHA256,
          IfNoneMatch: '*',
        }),
        {
          expiresIn: 300,
          signableHeaders: new Set(['content-type', 'content-length']),
          unhoistableHeaders: new Set(['x-amz-checksum-sha256', 'if-none-match']),
        },
      ),
  };
  const times: Record<string, number[]> = {};
  for (const [name, sign] of Object.entries(candidates)) {
    await perCall(sign, calls / 4); // JIT warm-up
    times[name] = [];
  }
  // Rounds alternate the candidates, so a noisy neighbour hurts all of them alike.
  for (let round = 0; round < rounds; round++) {
    for (const [name, sign] of Object.entries(candidates)) times[name]?.push(await perCall(sign, calls));
  }
  const floor = median(times['HMAC floor (node:crypto)'] ?? []);
  console.log(`\n7. presign per call, in process: median of ${rounds} rounds of ${calls} calls, same PUT each`);
  for (const [name, values] of Object.entries(times)) {
    const us = median(values) * 1000;
    console.log(
      `   ${name.padEnd(46)} ${us.toFixed(1).padStart(8)} us   ${(us / (floor * 1000)).toFixed(2)}x the floor`,
    );
  }
}
