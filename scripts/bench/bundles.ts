/**
 * Every function's bundle as the stack builds it (the one definition in
 * lib/constructs/function-bundling.ts, through esbuild's API), its size raw and gzip, its
 * biggest inputs, and the cost of a cold import against an empty `node` start, measured as
 * alternating A/B pairs in one run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import type { FunctionBundling } from '../../lib/constructs/function-bundling';

const KB = 1000;

/** What 6ca13b7 (before issue 10) bundled with: the same options, source maps on, no alias. */
const legacyBundling: FunctionBundling = {
  format: 'esm',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
  alias: {},
};

/** The checkout's own bundling definition, or the legacy one where it has none. */
export async function bundlingOf(root: string): Promise<{ bundling: FunctionBundling; source: string }> {
  const definition = join(root, 'lib', 'constructs', 'function-bundling.ts');
  if (!existsSync(definition)) return { bundling: legacyBundling, source: 'options of 6ca13b7 (no definition file)' };
  const module = (await import(pathToFileURL(definition).href)) as {
    functionBundlingOf(root: string): FunctionBundling;
  };
  return { bundling: module.functionBundlingOf(root), source: relative(process.cwd(), definition) || definition };
}

/** Packages with native binaries, installed beside the bundle instead of bundled (lib/constructs/validation.ts). */
const NATIVE = ['sharp'];

export interface BuiltBundle {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzip: number;
  readonly metafile: Metafile;
}

export async function bundleEntry(
  bundling: FunctionBundling,
  root: string,
  entry: { name: string; path?: string; contents?: string },
  outDir: string,
  /** Extra esbuild plugins, e.g. to leave a module out and measure what it costs. */
  plugins: Plugin[] = [],
): Promise<BuiltBundle> {
  const outfile = join(outDir, entry.name, 'index.mjs');
  const result = await build({
    ...(entry.path
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents ?? '', resolveDir: root, loader: 'ts', sourcefile: `${entry.name}.ts` } }),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: bundling.format,
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    mainFields: [...bundling.mainFields],
    banner: { js: bundling.banner },
    alias: { ...bundling.alias },
    external: NATIVE,
    outfile,
    metafile: true,
    logLevel: 'error',
    plugins,
  });
  const code = readFileSync(outfile);
  return {
    name: entry.name,
    file: outfile,
    bytes: code.length,
    gzip: gzipSync(code).length,
    metafile: result.metafile,
  };
}

/** Every function of a checkout: each folder of functions/ with an index.ts. */
export function functionsOf(root: string): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'index.ts')))
    .sort();
}

/**
 * The machine's own environment (NODE_EXTRA_CA_CERTS among it) plus what Lambda gives a
 * function, with made-up resource names: a superset of every function's variables. Without the
 * AWS_LAMBDA_* ones the local system sets in this process: with them Powertools expects the
 * runtime's InvokeStore, which only Lambda provides.
 */
export function lambdaEnvironment(name: string, bundling: FunctionBundling): NodeJS.ProcessEnv {
  const machine = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_LAMBDA_')));
  return {
    ...machine,
    AWS_REGION: 'eu-west-1',
    AWS_DEFAULT_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench/bench/bench/bench/bench/bench/benc',
    AWS_SESSION_TOKEN: 'bench-session-token',
    POWERTOOLS_SERVICE_NAME: `docdrop-${name}`,
    LINKS_TABLE: 'bench-links',
    FILES_TABLE: 'bench-files',
    AUDIT_TABLE: 'bench-audit',
    SHARES_TABLE: 'bench-shares',
    QUOTAS_TABLE: 'bench-quotas',
    NOTICES_TABLE: 'bench-notices',
    NOTICE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-notices',
    // With a sender address the notice functions build their SES client at import, as deployed with e-mail on.
    MAIL_FROM_ADDRESS: 'notices@docdrop.example',
    BUCKET_NAME: 'bench-documents',
    USER_POOL_ID: 'eu-west-1_Bench0000',
    USER_POOL_CLIENT_ID: 'benchclient',
    WEB_BASE_URL: 'https://docdrop.example',
    NOTIFICATION_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:bench',
    VALIDATOR_FUNCTION_NAME: 'bench-upload-validator',
    VALIDATOR_FAILURES_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/bench-failures',
    AUDIT_RETENTION_DAYS: '365',
    // Lambda runs Node 24; on an older local node the SDK would print a support warning at
    // import (~8 ms of warning machinery) that Lambda never pays.
    ...(Number(process.versions.node.split('.')[0]) < 22
      ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }
      : {}),
    ...(bundling.sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (run.status !== 0)
    throw new Error(
      `node ${args.join(' ')} failed: ${run.stderr
        .toString()
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('at '))
        .join('\n')
        .slice(-800)}`,
    );
  return elapsed;
}

export interface ColdImport {
  readonly emptyMs: number;
  readonly importMs: number;
  readonly addedMs: number;
  readonly ratio: number;
}

/** Median of alternating pairs: an empty start, then a fresh node importing the bundle, same environment. */
export function coldImport(file: string, env: NodeJS.ProcessEnv, pairs: number): ColdImport {
  const empty: number[] = [];
  const imported: number[] = [];
  timed(['-e', ''], env);
  timed([file], env); // the first run warms the file cache
  for (let pair = 0; pair < pairs; pair++) {
    empty.push(timed(['-e', ''], env));
    imported.push(timed([file], env));
  }
  const emptyMs = median(empty);
  const importMs = median(imported);
  return { emptyMs, importMs, addedMs: importMs - emptyMs, ratio: importMs / emptyMs };
}

/** Bytes in the output by package (node_modules/<pkg>) or by project folder. */
export function inputsByOrigin(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const modules = path.lastIndexOf('node_modules/');
      let origin: string;
      if (modules >= 0) {
        const [scope, name] = path.slice(modules + 'node_modules/'.length).split('/');
        origin = scope?.startsWith('@') ? `${scope}/${name}` : (scope as string);
      } else origin = path.split('/').slice(0, 2).join('/');
      totals.set(origin, (totals.get(origin) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * Which zod a bundle keeps: `mini` (only the schemas it uses), `classic` (the whole chainable
 * API, ~94 KB), or `whole` (`import { z } from 'zod'`, every locale too; a namespace import keeps only en).
 */
export function zodKept(metafile: Metafile): 'whole' | 'classic' | 'mini' | 'none' {
  const zod = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([path, { bytesInOutput }]) => bytesInOutput > 0 && path.includes('node_modules/zod/'))
      .map(([path]) => path),
  );
  if (zod.some((path) => /locales\/(?!en\.|index)/.test(path))) return 'whole';
  if (zod.some((path) => path.includes('/classic/'))) return 'classic';
  return zod.length > 0 ? 'mini' : 'none';
}

const fmtKB = (bytes: number): string => `${(bytes / KB).toFixed(1)}`;

export interface BundleRow {
  readonly name: string;
  readonly bytes: number;
  readonly gzip: number;
  readonly cold: ColdImport;
}

export async function measureBundles(options: {
  root: string;
  pairs: number;
  label: string;
  /** Changes to the definition, to measure a lever (e.g. source maps) before choosing it. */
  override?: Partial<FunctionBundling>;
  /** Only these functions (all by default). */
  functions?: readonly string[];
}): Promise<BundleRow[]> {
  const { root, pairs, label } = options;
  const own = await bundlingOf(root);
  const bundling = { ...own.bundling, ...options.override };
  const source = options.override ? `${own.source}, with ${JSON.stringify(options.override)}` : own.source;
  // Inside the checkout (cdk.out/ is ignored), so the validator finds sharp in its node_modules as in Lambda.
  const outDir = join(root, 'cdk.out', `bench-bundles-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  try {
    console.log(`\n5. function bundles of ${root} (${label}), bundled by ${source}`);
    console.log(
      `   minify ${bundling.minify}, source maps ${bundling.sourceMap}${bundling.sourceMap ? ' (NODE_OPTIONS=--enable-source-maps)' : ''}, aliases: ${Object.keys(bundling.alias).join(', ') || 'none'}`,
    );
    console.log(
      `   cold import: median of ${pairs} alternating pairs (empty \`node -e ""\`, then \`node index.mjs\`), Lambda-like environment, node ${process.version}, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`,
    );
    console.log('   function                   KB raw  KB gzip   empty ms  import ms  added ms   ratio  zod');
    const rows: BundleRow[] = [];
    const built: BuiltBundle[] = [];
    for (const name of functionsOf(root).filter((name) => !options.functions || options.functions.includes(name))) {
      const bundle = await bundleEntry(
        bundling,
        root,
        { name, path: join(root, 'functions', name, 'index.ts') },
        outDir,
      );
      const cold = coldImport(bundle.file, lambdaEnvironment(name, bundling), pairs);
      rows.push({ name, bytes: bundle.bytes, gzip: bundle.gzip, cold });
      built.push(bundle);
      console.log(
        `   ${name.padEnd(24)} ${fmtKB(bundle.bytes).padStart(8)} ${fmtKB(bundle.gzip).padStart(8)} ${cold.emptyMs.toFixed(1).padStart(10)} ${cold.importMs.toFixed(1).padStart(10)} ${cold.addedMs.toFixed(1).padStart(9)} ${cold.ratio.toFixed(2).padStart(6)}x  ${zodKept(bundle.metafile)}`,
      );
    }
    const api = built.filter((bundle) => !/validator/.test(bundle.name)).sort((a, b) => b.bytes - a.bytes)[0];
    if (api) {
      console.log(`   largest API bundle ${api.name}: top 5 inputs (KB in output)`);
      for (const [origin, bytes] of inputsByOrigin(api.metafile).slice(0, 5)) {
        console.log(`     ${fmtKB(bytes).padStart(8)}  ${origin}`);
      }
    }
    return rows;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** What each library costs on its own: a probe bundle per import, through the same definition. */
export async function measureProbes(options: { root: string; pairs: number }): Promise<void> {
  const { root, pairs } = options;
  const { bundling } = await bundlingOf(root);
  const outDir = join(root, 'cdk.out', `bench-probes-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const probes: Record<string, string> = {
    'nothing (the banner)': '',
    'Powertools Logger': "import { Logger } from '@aws-lambda-powertools/logger'; new Logger();",
    'Powertools Metrics':
      "import { Metrics } from '@aws-lambda-powertools/metrics'; new Metrics({ namespace: 'bench' });",
    'Powertools Tracer': "import { Tracer } from '@aws-lambda-powertools/tracer'; new Tracer();",
    'DynamoDB document client':
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'; const c = DynamoDBDocumentClient.from(new DynamoDBClient({})); console.error(typeof c, typeof GetCommand);",
    'S3Client + getSignedUrl':
      "import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3'; import { getSignedUrl } from '@aws-sdk/s3-request-presigner'; console.error(typeof new S3Client({}), typeof PutObjectCommand, typeof getSignedUrl);",
    'UrlSigner (S3RequestPresigner)':
      "import { createUrlSigner } from '#commons/url-signer'; console.error(typeof createUrlSigner());",
    'zod (import * as z)': "import * as z from 'zod'; console.error(z.object({ a: z.string() }).parse({ a: 'x' }));",
    'zod/mini with English messages':
      "import * as z from '#contracts/zod'; console.error(z.object({ a: z.string() }).parse({ a: 'x' }));",
  };
  try {
    console.log(`\n6. what a library costs alone: a probe bundle per import (${pairs} pairs each)`);
    console.log('   probe                              KB raw  KB gzip   empty ms  added ms   ratio');
    for (const [label, contents] of Object.entries(probes)) {
      if (label.startsWith('UrlSigner') && !existsSync(join(root, 'functions', 'commons', 'url-signer.ts'))) continue;
      if (label.startsWith('zod/mini') && !existsSync(join(root, 'contracts', 'zod.ts'))) continue;
      const name = `probe-${label.replace(/\W+/g, '-')}`;
      const bundle = await bundleEntry(bundling, root, { name, contents }, outDir);
      const cold = coldImport(bundle.file, lambdaEnvironment(name, bundling), pairs);
      console.log(
        `   ${label.padEnd(32)} ${fmtKB(bundle.bytes).padStart(8)} ${fmtKB(bundle.gzip).padStart(8)} ${cold.emptyMs.toFixed(1).padStart(10)} ${cold.addedMs.toFixed(1).padStart(9)} ${cold.ratio.toFixed(2).padStart(6)}x`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
