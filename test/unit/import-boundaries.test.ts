import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

/**
 * The layout's import rules live in biome.json (`noRestrictedImports` per folder). These cases
 * lint probe files laid out like the repository, in a scratch folder with the same config, so
 * a deliberate bad import must fail and a good one must pass.
 */
const probes: Record<string, string> = {
  'contracts/imports-cdk.ts': "import { Stack } from 'aws-cdk-lib';\nexport const probe = [Stack];\n",
  'contracts/imports-node.ts': "import { readFileSync } from 'node:fs';\nexport const probe = [readFileSync];\n",
  'contracts/imports-sdk.ts': "import { S3Client } from '@aws-sdk/client-s3';\nexport const probe = [S3Client];\n",
  'contracts/imports-zod-and-itself.ts':
    "import * as z from 'zod';\nimport { limits } from './limits';\nexport const probe = [z, limits];\n",
  'contracts/api/imports-contracts.ts':
    "import { limits } from '../limits';\nimport { id } from './common';\nexport const probe = [limits, id];\n",
  'contracts/api/imports-lib.ts': "import { Api } from '../../lib/constructs/api';\nexport const probe = [Api];\n",
  'functions/probe/imports-construct.ts':
    "import { DocdropFunction } from '../../lib/constructs/docdrop-function';\nexport const probe = [DocdropFunction];\n",
  'functions/probe/imports-cdk.ts': "import { Duration } from 'aws-cdk-lib';\nexport const probe = [Duration];\n",
  'functions/probe/imports-contracts.ts':
    "import { routes } from '#contracts/routes';\nexport const probe = [routes];\n",
  'local/imports-stack.ts':
    "import { DocdropStack } from '../lib/docdrop-stack';\nexport const probe = [DocdropStack];\n",
  'web/src/imports-nag.ts': "import { NagSuppressions } from 'cdk-nag';\nexport const probe = [NagSuppressions];\n",
  'lib/imports-domain.ts':
    "import { recordAudit } from '#domain/audit/audit-trail';\nexport const probe = [recordAudit];\n",
  'lib/imports-handler.ts': "import { handler } from '../functions/health/index';\nexport const probe = [handler];\n",
  // Two domain files that import each other, if only for a type: the cycle rule refuses both.
  'functions/domain/probe/first.ts':
    "import type { Second } from './second';\nexport type First = { next?: Second };\n",
  'functions/domain/probe/second.ts': "import type { First } from './first';\nexport type Second = { next?: First };\n",
  // The smoke suite knows docdrop only by its URL: not the harness, the local system, contracts or an SDK.
  'test/live/imports-harness.ts': "import { api } from '../support/harness';\nexport const probe = [api];\n",
  'test/live/imports-local.ts': "import { seedOwner } from '../../local/owners';\nexport const probe = [seedOwner];\n",
  'test/live/imports-contracts.ts':
    "import type { UploadRequest } from '#contracts/api/uploads';\nexport type Probe = UploadRequest;\n",
  'test/live/imports-sdk.ts': "import { S3Client } from '@aws-sdk/client-s3';\nexport const probe = [S3Client];\n",
  'test/live/imports-its-client.ts':
    "import { createHash } from 'node:crypto';\nimport { expect } from 'vitest';\nimport { call } from './client';\nexport const probe = [createHash, expect, call];\n",
  'lib/imports-cdk-and-contracts.ts':
    "import { Stack } from 'aws-cdk-lib';\nimport { routes } from '#contracts/routes';\nexport const probe = [Stack, routes];\n",
};

let scratch: string;
let flagged: Set<string>;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'docdrop-imports-'));
  const config = JSON.parse(readFileSync(join(ROOT, 'biome.json'), 'utf8'));
  // The scratch folder is no git checkout, and the schema path is the repository's.
  delete config.vcs;
  delete config.$schema;
  writeFileSync(join(scratch, 'biome.json'), JSON.stringify(config));
  for (const [path, source] of Object.entries(probes)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true });
    writeFileSync(join(scratch, path), source);
  }
  let output: string;
  try {
    output = execFileSync(BIOME, ['lint', '--colors=off', '--max-diagnostics=100', '.'], {
      cwd: scratch,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    output = stdout + stderr;
  }
  flagged = new Set(
    [...output.matchAll(/^(\S+\.ts):\d+:\d+ lint\/(?:style\/noRestrictedImports|suspicious\/noImportCycles)/gm)].map(
      (match) => match[1] as string,
    ),
  );
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('import boundaries (biome noRestrictedImports and noImportCycles)', () => {
  it.each([
    'contracts/imports-cdk.ts',
    'contracts/imports-node.ts',
    'contracts/imports-sdk.ts',
    'contracts/api/imports-lib.ts',
    'functions/probe/imports-construct.ts',
    'functions/probe/imports-cdk.ts',
    'local/imports-stack.ts',
    'web/src/imports-nag.ts',
    'lib/imports-domain.ts',
    'lib/imports-handler.ts',
    'test/live/imports-harness.ts',
    'test/live/imports-local.ts',
    'test/live/imports-contracts.ts',
    'test/live/imports-sdk.ts',
  ])('fails the deliberate bad import in %s', (path) => {
    expect(flagged.has(path)).toBe(true);
  });

  it.each(['functions/domain/probe/first.ts', 'functions/domain/probe/second.ts'])(
    'fails the import cycle through %s (type-only imports count)',
    (path) => {
      expect(flagged.has(path)).toBe(true);
    },
  );

  it.each([
    'contracts/imports-zod-and-itself.ts',
    'contracts/api/imports-contracts.ts',
    'functions/probe/imports-contracts.ts',
    'lib/imports-cdk-and-contracts.ts',
    'test/live/imports-its-client.ts',
  ])('lets the allowed imports in %s through', (path) => {
    expect(flagged.has(path)).toBe(false);
  });
});
