/**
 * Benchmarks, printed, never asserted (`npm run bench`). Starts the local system on free
 * ports and measures, side by side in one run:
 *
 *  1. presign through the gateway (owner upload), median and p95 of sequential calls;
 *  2. the validator on non-image uploads of growing size: time, bytes it read from S3, and
 *     peak RSS growth: what it costs must not grow with the object.
 *
 *  3. the image path on a 4000x3000 JPEG beside a bare sharp decode + re-encode (the floor).
 *
 *  4. the web app's first load: each page's script, raw, gzip and brotli (the budget is 100 KB compressed).
 *
 *  5. every function's bundle as the stack builds it: KB raw and gzip, cold import against an
 *     empty `node` start (scripts/bench/bundles.ts), and the largest API bundle's top inputs;
 *  6. what Powertools Logger, Metrics, Tracer, the SDK clients and zod cost alone (probe bundles);
 *  7. presign per call against the HMAC floor (scripts/bench/presign-cost.ts).
 *
 *  8. faults: uploads lost after a DynamoDB kill and after SIGTERM mid-stream, the answer
 *     under a 10 s stall, DynamoDB calls per race loser (scripts/bench/faults.ts). Minutes
 *     long, so only when named: `--only faults`.
 *
 *  9. multipart: 1 GiB in parts through the system against one PUT to the emulator, signing 100
 *     part URLs against the HMAC floor, the validator's reads on a 1 GiB multipart object
 *     (scripts/bench/multipart.ts). Minutes long, so only when named: `--only multipart`.
 *
 * 10. pdf: the PDF active-content check on a small PDF and on 1,000 pages, and the parser's
 *     import cost against the validator bundle without it (scripts/bench/pdf.ts); `--runs N`.
 *
 * Options: `--only bundles,probes,presign,system,web,faults,multipart,pdf` runs just those sections; `--root DIR`
 * measures another checkout (sections 5, 6 and 8), `--before DIR` measures DIR and
 * then this checkout, one after the other in the same run; `--pairs N` A/B pairs (default 11);
 * `--source-maps on|off` overrides the definition to measure that lever; `--functions a,b` only those;
 * `--window S` how long section 8 waits for uploads to settle (default 90), `--port-base N` its
 * first port (ten a tree; default: free ones); `--runs N` section 9's alternating runs (default 5),
 * `--size-mib N` its file (default 1024).
 *
 * The machine is small and noisy: read medians and ratios, not single numbers.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { incomingKey } from '#contracts/bucket';
import { putPendingFile } from '#domain/drive/file-records';
import { cleanImage } from '#domain/validation/image-pipeline';
import { validateUpload } from '#domain/validation/validate-upload';
import { seedOwner, signIn } from '../local/owners';
import { startLocalSystem } from '../local/system';
import { buildWeb, measureWebBuild } from '../web/build';
import { measureBundles, measureProbes } from './bench/bundles';
import { measureFaults } from './bench/faults';
import { localS3Client, validatorDepsOf } from './bench/local-clients';
import { measureMultipart } from './bench/multipart';
import { measurePdf } from './bench/pdf';
import { measurePresignCost } from './bench/presign-cost';

const MiB = 1024 * 1024;

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
};
const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(2)} ms`);

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECTIONS = ['bundles', 'probes', 'presign', 'system', 'web', 'faults', 'multipart', 'pdf'] as const;
/** Sections a bare `npm run bench` runs: faults and multipart take minutes and start whole systems. */
const DEFAULT_SECTIONS = SECTIONS.filter((section) => section !== 'faults' && section !== 'multipart');

/** Pins this process and every thread it starts from now on (sharp's) to one CPU, if taskset is there. */
function pinToOneCpu(): boolean {
  const pinned = spawnSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
  return pinned.status === 0;
}

async function main() {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      root: { type: 'string' },
      before: { type: 'string' },
      pairs: { type: 'string', default: '11' },
      'source-maps': { type: 'string' },
      functions: { type: 'string' },
      window: { type: 'string', default: '90' },
      'port-base': { type: 'string' },
      runs: { type: 'string', default: '5' },
      'size-mib': { type: 'string', default: '1024' },
    },
  });
  const only = new Set(values.only ? values.only.split(',') : DEFAULT_SECTIONS);
  for (const section of only) {
    if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`--only takes ${SECTIONS.join(', ')}`);
  }
  const pairs = Number(values.pairs);
  const root = resolve(values.root ?? PROJECT_ROOT);
  const override = values['source-maps'] ? { sourceMap: values['source-maps'] === 'on' } : undefined;
  const functions = values.functions?.split(',');
  if (only.has('bundles')) {
    if (values.before) await measureBundles({ root: resolve(values.before), pairs, label: 'before', functions });
    await measureBundles({ root, pairs, label: values.before ? 'after' : 'this checkout', override, functions });
  }
  if (only.has('probes')) await measureProbes({ root, pairs });
  if (only.has('presign')) await measurePresignCost();
  if (only.has('system')) await measureLocalSystem();
  if (only.has('web')) await measureWeb();
  if (only.has('faults'))
    await measureFaults({
      trees: values.before
        ? [
            { label: 'before', root: resolve(values.before) },
            { label: 'after', root },
          ]
        : [{ label: 'this checkout', root }],
      windowSeconds: Number(values.window),
      ...(values['port-base'] ? { portBase: Number(values['port-base']) } : {}),
    });
  if (only.has('multipart')) await measureMultipart({ runs: Number(values.runs), sizeMiB: Number(values['size-mib']) });
  if (only.has('pdf')) await measurePdf({ root, pairs, runs: Number(values.runs) });
}

async function measureWeb() {
  const webDir = mkdtempSync(join(tmpdir(), 'docdrop-bench-web-'));
  try {
    await buildWeb(webDir);
    console.log('\n4. web app first load: script per page (entry + shared chunk), budget 100 KB compressed');
    for (const page of measureWebBuild(webDir)) {
      console.log(
        `   ${page.page.padEnd(4)} ${(page.bytes / 1024).toFixed(1)} KB raw   ${(page.gzip / 1024).toFixed(1)} KB gzip   ${(page.brotli / 1024).toFixed(1)} KB brotli`,
      );
    }
  } finally {
    rmSync(webDir, { recursive: true, force: true });
  }
}

async function measureLocalSystem() {
  const dataDir = mkdtempSync(join(tmpdir(), 'docdrop-bench-'));
  // S3 events are not delivered here: the benchmark calls the validator itself, with a client that counts bytes.
  const system = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
    deliverS3Events: false,
  });
  try {
    const owner = { email: 'bench@docdrop.local', password: 'Bench-password-2026!' };
    await seedOwner(system, owner);
    const { idToken: token } = await signIn(system, owner);
    const ownerId = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()).sub as string;

    // 1. presign through the gateway
    const body = JSON.stringify({
      fileName: 'a.pdf',
      contentType: 'application/pdf',
      size: 1000,
      sha256: createHash('sha256').update('x').digest('base64'),
    });
    const presignTimes: number[] = [];
    for (let i = 0; i < 220; i++) {
      const started = performance.now();
      const response = await fetch(`${system.apiUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      await response.text();
      if (i >= 20) presignTimes.push(performance.now() - started); // the first calls warm the JIT and the JWKS cache
    }
    console.log(
      '\n1. POST /api/uploads through the local gateway (JWT check, access and quota reads, the quota reservation, the pending record and the audit entry, signing), 200 calls',
    );
    console.log(`   median ${fmt(quantile(presignTimes, 0.5))}   p95 ${fmt(quantile(presignTimes, 0.95))}`);

    const s3 = localS3Client(system);

    // 2. the validator on non-images of growing size
    let bytesRead = 0;
    const counted = localS3Client(system);
    counted.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        const length = Number(
          (result.response as { headers?: Record<string, string> }).headers?.['content-length'] ?? 0,
        );
        if ((args.request as { method?: string }).method === 'GET') bytesRead += length;
        return result;
      },
      { step: 'deserialize', name: 'countBytesRead' },
    );
    const deps = validatorDepsOf(system, counted);
    console.log('\n2. validator on a PDF (released) of each size, median of runs');
    console.log(
      '   (the time that grows is the emulator copying the object to files/ on local disk; in S3 the copy is server-side)',
    );
    console.log('   size       runs   median time   bytes read from S3   peak RSS growth');
    for (const [size, runs] of [
      [1 * MiB, 5],
      [64 * MiB, 5],
      [1024 * MiB, 3],
    ] as const) {
      const file = join(dataDir, `payload-${size}`);
      const payload = Buffer.alloc(size);
      payload.write('%PDF-1.7\n');
      randomBytes(1024).copy(payload, 16);
      writeFileSync(file, payload);
      const times: number[] = [];
      const reads: number[] = [];
      const peaks: number[] = [];
      for (let run = 0; run < runs; run++) {
        const fileId = `bench${size}r${run}`;
        await putPendingFile(deps.files, {
          ownerId,
          fileId,
          name: 'big.pdf',
          contentType: 'application/pdf',
          size,
          sha256: 'unused-for-the-gate',
          createdAt: new Date().toISOString(),
        });
        await s3.send(
          new PutObjectCommand({
            Bucket: system.bucket,
            Key: incomingKey(ownerId, fileId),
            Body: createReadStream(file),
            ContentLength: size,
          }),
        );
        global.gc?.();
        bytesRead = 0;
        const baseline = process.memoryUsage().rss;
        let peak = baseline;
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss);
        }, 2);
        const started = performance.now();
        await validateUpload(deps, incomingKey(ownerId, fileId));
        times.push(performance.now() - started);
        clearInterval(sampler);
        reads.push(bytesRead);
        peaks.push(peak - baseline);
      }
      rmSync(file);
      console.log(
        `   ${String(size / MiB).padStart(5)} MiB  ${String(runs).padStart(4)}   ${fmt(quantile(times, 0.5)).padStart(11)}   ${String(quantile(reads, 0.5)).padStart(12)} bytes   ${(quantile(peaks, 0.5) / MiB).toFixed(1).padStart(8)} MiB`,
      );
    }

    // 3. the image path against its floor, on one CPU: Lambda's 1 GB gives less than one vCPU.
    const pinned = pinToOneCpu();
    const noise = Buffer.alloc(4000 * 3000 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
    const photo = await sharp(noise, { raw: { width: 4000, height: 3000, channels: 3 } })
      .jpeg({ quality: 85 })
      .withExif({ IFD0: { Copyright: 'bench' } })
      .toBuffer();
    const imageTimes: number[] = [];
    const floorTimes: number[] = [];
    const pipelineTimes: number[] = [];
    const imageReads: number[] = [];
    const imagePeaks: number[] = [];
    for (let run = 0; run < 7; run++) {
      const fileId = `benchjpeg${run}`;
      await putPendingFile(deps.files, {
        ownerId,
        fileId,
        name: 'photo.jpg',
        contentType: 'image/jpeg',
        size: photo.length,
        sha256: 'unused-for-the-gate',
        createdAt: new Date().toISOString(),
      });
      await s3.send(new PutObjectCommand({ Bucket: system.bucket, Key: incomingKey(ownerId, fileId), Body: photo }));
      global.gc?.();
      bytesRead = 0;
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 2);
      let started = performance.now();
      const result = await validateUpload(deps, incomingKey(ownerId, fileId));
      const elapsed = performance.now() - started;
      clearInterval(sampler);
      if (result.outcome !== 'clean') throw new Error(`the bench photo was ${result.outcome}`);
      started = performance.now();
      await cleanImage(photo, 'image/jpeg', deps.images);
      const pipeline = performance.now() - started;
      started = performance.now();
      await sharp(photo).jpeg({ quality: 90 }).toBuffer();
      const floor = performance.now() - started;
      if (run >= 2) {
        imageTimes.push(elapsed);
        pipelineTimes.push(pipeline);
        floorTimes.push(floor);
        imageReads.push(bytesRead);
        imagePeaks.push(peak - baseline);
      }
    }
    const image = quantile(imageTimes, 0.5);
    const floor = quantile(floorTimes, 0.5);
    console.log(
      `\n3. a 4000x3000 JPEG (${(photo.length / MiB).toFixed(1)} MiB, EXIF), median of 5 runs after 2 warm-ups, ${pinned ? 'pinned to CPU 0 (taskset -c 0)' : 'not pinned (no taskset)'}`,
    );
    console.log(`   validator, whole image path (check, clean, thumbnail, S3 writes)   ${fmt(image)}`);
    const pipeline = quantile(pipelineTimes, 0.5);
    console.log(`   image work alone: cleaned image + thumbnail (cleanImage)           ${fmt(pipeline)}`);
    console.log(`   bare sharp decode + re-encode of the same image (the floor)        ${fmt(floor)}`);
    console.log(
      `   image work / floor ${(pipeline / floor).toFixed(2)}x; whole path / floor ${(image / floor).toFixed(2)}x`,
    );
    console.log('   (the whole path adds the full GET, two PUTs and two tags to the emulator, and DynamoDB)');
    console.log(
      `   bytes read from S3 ${quantile(imageReads, 0.5)} (file ${photo.length}), peak RSS growth ${(quantile(imagePeaks, 0.5) / MiB).toFixed(0)} MiB`,
    );
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
