import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFunctions } from '#contracts/functions';
import { PROJECT_ROOT } from '../../lib/constructs/docdrop-function';
import { functionBundlingOf } from '../../lib/constructs/function-bundling';
import { bundleEntry, zodKept } from '../../scripts/bench/bundles';

/**
 * What the levers of issue 10 keep out of every Lambda bundle, checked on the bundles the
 * stack's own bundling definition makes (sizes and timings are `npm run bench`'s, not a test's).
 */
// presign-upload is not here: it opens multipart uploads (CreateMultipartUpload) with an S3 client.
const SIGNING_ONLY = [
  'sign-upload-parts',
  'upload-profile-photo',
  'download-file',
  'download-thumbnail',
  'download-profile-photo',
];

let outDir: string;
const inputs = new Map<string, string[]>();
const zod = new Map<string, string>();

/** The package paths that put bytes into the bundle (tree-shaken inputs are listed with none). */
const used = (metafile: Metafile): string[] =>
  Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([path]) => path),
  );

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'docdrop-bundles-'));
  const bundling = functionBundlingOf(PROJECT_ROOT);
  for (const name of apiFunctions) {
    const bundle = await bundleEntry(
      bundling,
      PROJECT_ROOT,
      { name, path: join(PROJECT_ROOT, 'functions', name, 'index.ts') },
      outDir,
    );
    inputs.set(name, used(bundle.metafile));
    zod.set(name, zodKept(bundle.metafile));
  }
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('what the Lambda bundles leave out', () => {
  it.each(apiFunctions)('bundles %s without the default credential chain (STS, SSO, OIDC clients)', (name) => {
    // act
    const chain = (inputs.get(name) ?? []).filter((path) =>
      /node_modules\/@aws-sdk\/(credential-provider-node|nested-clients|client-sts|client-sso|credential-provider-(ini|sso|process|web-identity))\//.test(
        path,
      ),
    );

    // assess
    expect(inputs.get(name)?.length).toBeGreaterThan(0);
    expect(chain).toEqual([]);
  });

  it.each(apiFunctions)("bundles %s with zod/mini only, never zod's classic API", (name) => {
    expect(zod.get(name)).toBe('mini');
  });

  it.each(SIGNING_ONLY)('bundles %s, which only signs URLs, without an S3 client', (name) => {
    // act
    const s3Client = (inputs.get(name) ?? []).filter((path) => path.includes('node_modules/@aws-sdk/client-s3/'));

    // assess
    expect(s3Client).toEqual([]);
  });
});
