/**
 * Multipart uploads (`npm run bench -- --only multipart`), printed, never asserted:
 *
 *  a. a 1 GiB file through the local system in parts (presign, sign parts in batches, PUT 4 parts
 *     at a time, complete) against one PUT of the same bytes straight to the emulator with a
 *     presigned URL; alternating, same run, median of N and the throughput ratio (goal >= 0.9x);
 *  b. signing 100 part URLs in one call: per URL, in process (the signer as the handler uses it)
 *     against the HMAC floor of section 7, and the whole call through the gateway;
 *  c. the validator on a 1 GiB multipart object: the bytes it reads, counted on the wire by a
 *     proxy in front of the emulator, and its time.
 *
 * Bytes are generated once into a temporary file and every PUT streams from disk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { incomingKey } from '#contracts/bucket';
import { MiB, multipart, plannedPartSize } from '#contracts/limits';
import { signPartPut } from '#domain/uploads/multipart-uploads';
import { validateUpload } from '#domain/validation/validate-upload';
import { seedOwner, signIn } from '../../local/owners';
import { type LocalSystem, startLocalSystem } from '../../local/system';
import { startS3WireMeter } from '../../test/support/s3-wire-meter';
import { localS3Client, validatorDepsOf } from './local-clients';
import { BENCH_CREDENTIALS, BENCH_REGION, hmacFloor } from './presign-cost';

const IN_FLIGHT = 4;
const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/** Writes `size` bytes (a PDF header, then random bytes) to `path`, 8 MiB at a time. */
async function writePayload(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += 8 * MiB) {
    const chunk = randomBytes(Math.min(8 * MiB, size - written));
    if (written === 0) chunk.write('%PDF-1.7\n');
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** PUTs bytes `start..start+length` of `path` to `url`, streamed from disk; answers the status. */
function putRange(url: string, headers: Record<string, string>, path: string, start: number, length: number) {
  return new Promise<number>((resolve, reject) => {
    const put = request(url, { method: 'PUT', headers: { ...headers, 'content-length': String(length) } }, (answer) => {
      answer.resume();
      answer.on('end', () => resolve(answer.statusCode ?? 0));
    });
    put.on('error', reject);
    createReadStream(path, { start, end: start + length - 1 }).pipe(put);
  });
}

async function api<T>(system: LocalSystem, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${system.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** The SHA-256 of each part of `path` under a plan: what a client computes before asking for URLs. */
async function partDigests(path: string, size: number, partSize: number, partCount: number): Promise<string[]> {
  const digests: string[] = [];
  for (let n = 1; n <= partCount; n++) {
    const hash = createHash('sha256');
    const length = plannedPartSize({ partSize, partCount }, size, n);
    for await (const chunk of createReadStream(path, {
      start: (n - 1) * partSize,
      end: (n - 1) * partSize + length - 1,
    }))
      hash.update(chunk as Buffer);
    digests.push(hash.digest('base64'));
  }
  return digests;
}

interface Phases {
  presign: number;
  sign: number;
  parts: number;
  complete: number;
}

interface Upload {
  uploadId: string;
  partSize: number;
  partCount: number;
}

/** One upload through the API: presign, sign in batches, PUT `IN_FLIGHT` parts at a time, complete. */
async function uploadInParts(
  system: LocalSystem,
  token: string,
  file: { path: string; size: number },
  digestsOf: (upload: Upload) => Promise<string[]>,
): Promise<{ ms: number; uploadId: string; phases: Phases }> {
  const started = performance.now();
  const phases: Phases = { presign: 0, sign: 0, parts: 0, complete: 0 };
  let mark = started;
  const lap = (phase: keyof Phases) => {
    const now = performance.now();
    phases[phase] = now - mark;
    mark = now;
  };
  const upload = await api<Upload>(system, token, 'POST', '/api/uploads', {
    fileName: 'big.pdf',
    contentType: 'application/pdf',
    size: file.size,
    multipart: true,
  });
  lap('presign');
  // Hashed once before the runs (digestsOf caches): a client hashes before, or beside, sending.
  const digests = await digestsOf(upload);
  mark = performance.now();
  const parts = digests.map((sha256, index) => ({
    partNumber: index + 1,
    size: plannedPartSize(upload, file.size, index + 1),
    sha256,
  }));
  const signed: { partNumber: number; url: string; headers: Record<string, string> }[] = [];
  for (let from = 0; from < parts.length; from += multipart.signBatchMax) {
    const batch = parts.slice(from, from + multipart.signBatchMax);
    signed.push(
      ...(
        await api<{ parts: typeof signed }>(system, token, 'POST', `/api/uploads/${upload.uploadId}/parts`, {
          parts: batch,
        })
      ).parts,
    );
  }
  lap('sign');
  let next = 0;
  const worker = async () => {
    for (let part = signed[next++]; part; part = signed[next++]) {
      const status = await putRange(
        part.url,
        part.headers,
        file.path,
        (part.partNumber - 1) * upload.partSize,
        plannedPartSize(upload, file.size, part.partNumber),
      );
      if (status !== 200) throw new Error(`part ${part.partNumber} answered ${status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  lap('parts');
  await api(system, token, 'POST', `/api/uploads/${upload.uploadId}/complete`);
  lap('complete');
  const ms = Object.values(phases).reduce((total, phase) => total + phase, 0);
  return { ms, uploadId: upload.uploadId, phases };
}

/** The same bytes in one presigned PUT straight to the emulator: the floor a multipart upload is held to. */
async function uploadInOnePut(s3: S3Client, bucket: string, key: string, file: { path: string; size: number }) {
  const started = performance.now();
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: file.size }), {
    expiresIn: 900,
  });
  const status = await putRange(url, {}, file.path, 0, file.size);
  if (status !== 200) throw new Error(`the single PUT answered ${status}`);
  return performance.now() - started;
}

/** b: 100 part URLs signed in process, as `signUploadParts` signs them, against the HMAC floor. */
async function measureSigning(rounds: number) {
  process.env.AWS_REGION = BENCH_REGION;
  process.env.AWS_ACCESS_KEY_ID = BENCH_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = BENCH_CREDENTIALS.secretAccessKey;
  const savedEndpoint = process.env.S3_ENDPOINT;
  delete process.env.S3_ENDPOINT;
  const { createUrlSigner } = await import('#commons/url-signer');
  const deps = { signer: createUrlSigner(), bucket: 'bench-documents' };
  const upload = {
    key: 'incoming/0f8fad5b-d9cb-469f-a165-70867728950e/01JBENCHBENCHBENCHBENCH0000',
    s3UploadId: randomBytes(32).toString('base64url'),
  };
  const sha256 = createHash('sha256').update('x').digest('base64');
  const batch = Array.from({ length: multipart.signBatchMax }, (_, i) => ({
    partNumber: i + 1,
    size: multipart.partBytes,
    sha256,
  }));
  const signBatch = () => {
    const now = new Date();
    const timing = { now, expiresAt: new Date(now.getTime() + 900_000) };
    return Promise.all(batch.map((part) => signPartPut(deps, upload, part, timing)));
  };
  const floorBatch = () => batch.map(() => hmacFloor(new Date()));
  const perUrl = async (sign: () => unknown) => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) await sign();
    return (performance.now() - started) / 20 / batch.length;
  };
  await perUrl(signBatch);
  await perUrl(floorBatch);
  const signer: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < rounds; round++) {
    signer.push(await perUrl(signBatch));
    floor.push(await perUrl(floorBatch));
  }
  if (savedEndpoint !== undefined) process.env.S3_ENDPOINT = savedEndpoint;
  return { signerUs: median(signer) * 1000, floorUs: median(floor) * 1000 };
}

export async function measureMultipart(options: { runs: number; sizeMiB: number }): Promise<void> {
  const { runs } = options;
  const size = options.sizeMiB * MiB;
  const signing = await measureSigning(7);
  console.log(`\n9. multipart uploads (${options.sizeMiB} MiB, ${IN_FLIGHT} parts in flight)`);
  console.log(
    `   b. signing ${multipart.signBatchMax} part URLs in one call, in process, median of 7 rounds of 20 calls`,
  );
  console.log(
    `      per URL ${signing.signerUs.toFixed(1)} us   HMAC floor ${signing.floorUs.toFixed(1)} us   ${(signing.signerUs / signing.floorUs).toFixed(2)}x the floor`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'docdrop-bench-multipart-'));
  // No S3 events and no periodic sweep: nothing but the measured work runs in the system.
  const system = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
    deliverS3Events: false,
    sweepIntervalMs: 86_400_000,
  });
  const meter = await startS3WireMeter(system.s3Endpoint);
  try {
    const owner = { email: 'bench-multipart@docdrop.local', password: 'Bench-password-2026!' };
    await seedOwner(system, owner);
    const { idToken: token } = await signIn(system, owner);
    const ownerId = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sub as string;
    const s3 = localS3Client(system);
    const file = { path: join(dataDir, 'payload'), size };
    await writePayload(file.path, size);
    let digests: string[] | undefined;
    let hashMs = 0;
    const digestsOf = async (upload: Upload) => {
      if (!digests) {
        const started = performance.now();
        digests = await partDigests(file.path, size, upload.partSize, upload.partCount);
        hashMs = performance.now() - started;
      }
      return digests;
    };
    // Warm-up (not counted): the first call hashes the parts, which a client does before, or
    // beside, sending them; the figures below leave that out and print it apart.
    const warm = await uploadInParts(system, token, file, digestsOf);
    await s3.send(new DeleteObjectCommand({ Bucket: system.bucket, Key: incomingKey(ownerId, warm.uploadId) }));

    const parts: number[] = [];
    const phases: Phases[] = [];
    const single: number[] = [];
    let last = warm.uploadId;
    for (let run = 0; run < runs; run++) {
      // Alternate which goes first, so a drift in the machine hurts both alike.
      const order = run % 2 === 0 ? ['parts', 'single'] : ['single', 'parts'];
      for (const which of order) {
        if (which === 'single') {
          const key = `bench-single/${run}`;
          single.push(await uploadInOnePut(s3, system.bucket, key, file));
          await s3.send(new DeleteObjectCommand({ Bucket: system.bucket, Key: key }));
        } else {
          const { ms, uploadId, phases: phasesOfRun } = await uploadInParts(system, token, file, digestsOf);
          parts.push(ms);
          phases.push(phasesOfRun);
          if (run < runs - 1)
            await s3.send(new DeleteObjectCommand({ Bucket: system.bucket, Key: incomingKey(ownerId, uploadId) }));
          last = uploadId;
        }
      }
    }
    const partsRate = mibPerSecond(size, median(parts));
    const singleRate = mibPerSecond(size, median(single));
    console.log(`   a. throughput, median of ${runs} alternating runs (after one warm-up)`);
    console.log(
      `      in parts through the system (presign, sign, PUT parts, complete)  ${(median(parts) / 1000).toFixed(2)} s   ${partsRate.toFixed(0)} MiB/s`,
    );
    console.log(
      `      one PUT straight to the emulator                                 ${(median(single) / 1000).toFixed(2)} s   ${singleRate.toFixed(0)} MiB/s`,
    );
    console.log(
      `      ratio ${(partsRate / singleRate).toFixed(2)}x (goal >= 0.9x); hashing the parts once, apart: ${(hashMs / 1000).toFixed(2)} s`,
    );
    const phase = (name: keyof Phases) => `${name} ${(median(phases.map((run) => run[name])) / 1000).toFixed(2)} s`;
    console.log(
      `      its phases (medians): ${phase('presign')}, ${phase('sign')}, ${phase('parts')}, ${phase('complete')}`,
    );

    // c. the validator on the last multipart object, its S3 traffic through the counting proxy
    const metered = localS3Client(system, meter.endpoint);
    meter.reset();
    const started = performance.now();
    const result = await validateUpload(validatorDepsOf(system, metered), incomingKey(ownerId, last));
    const validatorMs = performance.now() - started;
    const reads = meter.exchanges.filter((exchange) => exchange.method === 'GET');
    const bytesRead = reads.reduce((total, exchange) => total + exchange.responseBytes, 0);
    console.log(`   c. the validator on the ${options.sizeMiB} MiB multipart object (outcome ${result.outcome})`);
    const ranges = reads.map((read) => read.range ?? 'whole').join(', ');
    console.log(
      `      ${(validatorMs / 1000).toFixed(2)} s   GETs ${reads.length} (${ranges})   bytes read ${bytesRead} (goal <= 65536)`,
    );
    console.log(
      '      (its time is mostly the emulator copying the object to files/ on disk; in S3 the copy is server-side)',
    );
  } finally {
    await meter.stop();
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
