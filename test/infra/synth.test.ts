import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support';

const run = promisify(execFile);
const FIVE_MINUTES = 5 * 60_000;

/** The fields of one CSV line; cdk-nag quotes every field and doubles quotes inside. */
const csvFields = (line: string): string[] =>
  [...line.matchAll(/"((?:[^"]|"")*)"|([^,]+)|(?<=,|^)(?=,|$)/g)].map((match) =>
    (match[1] ?? match[2] ?? '').replace(/""/g, '"'),
  );

/** Every file under a directory, recursively. */
const filesUnder = (path: string): string[] =>
  readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(path, entry.name)) : [join(path, entry.name)],
  );

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0).padStart(6)} KB`;

/** Sizes of a bundle: the code, the whole directory, and the directory deflated (about what Lambda's zip holds). */
function bundleSizes(directory: string): string {
  const files = filesUnder(directory);
  const code = statSync(join(directory, 'index.mjs')).size;
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const deflated = files.reduce((sum, file) => sum + deflateRawSync(readFileSync(file)).length, 0);
  return `${kb(code)} ${kb(total)} ${kb(deflated)}`;
}

/** The web build's files, their total size and their size deflated (about what a browser downloads compressed). */
function webSizes(directory: string): string {
  const files = filesUnder(directory);
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  const deflated = files.reduce((sum, file) => sum + deflateRawSync(readFileSync(file)).length, 0);
  const size = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return `${files.length} files, ${size(total)}, ${size(deflated)} deflated`;
}

describe('cdk synth', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'docdrop-synth-'));

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it(
    'synthesises as an operator runs it: nag-clean, every function bundled, the web app built',
    async () => {
      // prepare
      const command = ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir];

      // act
      const result = await run('npx', command, {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
        timeout: FIVE_MINUTES,
        maxBuffer: 64 * 1024 * 1024,
      }).then(
        (output) => ({ code: 0, ...output }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: error.code ?? -1,
          stdout: error.stdout ?? '',
          stderr: error.stderr ?? '',
        }),
      );

      // assess
      expect(result.code, result.stderr).toBe(0);

      const reports = readdirSync(outdir).filter((name) => name.endsWith('-NagReport.csv'));
      expect(reports.sort()).toEqual([
        expect.stringMatching(/^AwsSolutions-.*Docdrop-NagReport\.csv$/),
        expect.stringMatching(/^NIST\.800\.53\.R5-.*Docdrop-NagReport\.csv$/),
      ]);
      for (const report of reports) {
        const [header = '', ...rows] = readFileSync(join(outdir, report), 'utf8').trim().split('\n');
        const compliance = csvFields(header).indexOf('Compliance');
        const nonCompliant = rows.filter((row) => csvFields(row)[compliance] === 'Non-Compliant');
        expect(compliance, report).toBeGreaterThanOrEqual(0);
        expect(nonCompliant, report).toEqual([]);
      }

      const template = JSON.parse(readFileSync(join(outdir, 'Docdrop.template.json'), 'utf8'));
      const assets = Object.values(template.Resources as Record<string, any>)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['aws:asset:path'])
        // CDK's own site deployer (Python, shipped with aws-cdk-lib) is not one of docdrop's bundles.
        .filter(
          (resource) => !String(resource.Metadata['aws:cdk:path']).startsWith('Docdrop/Custom::CDKBucketDeployment'),
        )
        .map((resource) => ({
          name: String(resource.Metadata['aws:cdk:path'])
            .replace(/^Docdrop\//, '')
            .replace(/\/Resource$/, ''),
          directory: join(outdir, resource.Metadata['aws:asset:path']),
        }));
      expect(assets.length).toBeGreaterThan(0);
      for (const { name, directory } of assets) expect(existsSync(join(directory, 'index.mjs')), name).toBe(true);
      // The default credential chain's STS client is swapped out at build time through CDK's own
      // esbuild call (its command name survives minification as a string).
      const withStsClient = assets
        .filter(({ directory }) =>
          readFileSync(join(directory, 'index.mjs'), 'utf8').includes('AssumeRoleWithWebIdentity'),
        )
        .map(({ name }) => name);
      expect(withStsClient).toEqual([]);
      // The validator carries sharp's binaries for Lambda's platform, not this machine's.
      const validator = assets.find(({ name }) => name.includes('Validator'));
      expect(
        existsSync(join(validator?.directory ?? '', 'node_modules/@img/sharp-linux-arm64')),
        'sharp for linux-arm64',
      ).toBe(true);
      expect(existsSync(join(validator?.directory ?? '', 'node_modules/@img/sharp-linux-x64')), 'no x64 sharp').toBe(
        false,
      );

      // The web build: the pages the contract promises, hashed assets beside them, never a config.json.
      const assetsManifest = JSON.parse(readFileSync(join(outdir, 'Docdrop.assets.json'), 'utf8'));
      const webAssets = Object.values(assetsManifest.files as Record<string, { source: { path: string } }>)
        .map(({ source }) => join(outdir, source.path))
        .filter((directory) => existsSync(join(directory, 'u', 'index.html')));
      expect(webAssets).toHaveLength(1);
      const web = webAssets[0] as string;
      expect(existsSync(join(web, 'index.html')), 'index.html').toBe(true);
      expect(existsSync(join(web, 'config.json')), 'no config.json in the build').toBe(false);

      const header = `  ${'function'.padEnd(24)} ${'index.mjs'.padStart(9)} ${'with map'.padStart(9)} ${'deflated'.padStart(9)}`;
      const lines = assets.map(({ name, directory }) => `  ${name.padEnd(24)} ${bundleSizes(directory)}`);
      console.log(['Function bundles:', header, ...lines].join('\n'));
      console.log(`Web build: ${webSizes(web)}`);
    },
    FIVE_MINUTES + 60_000,
  );
});
