/**
 * `npm run bench -- --only pdf`: what the PDF active-content check costs. The check's time on
 * a small PDF and on 1,000 pages (each with and without object streams), and the parser's
 * import cost: the validator bundle without the check, as built (the parser bundled but loaded
 * only for a PDF), and with the parser loaded; pdf.js's main module beside it, for the choice.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Plugin } from 'esbuild';
import { limits } from '#contracts/limits';
import { inspectPdf } from '#domain/validation/pdf-active-content';
import { samplePdf } from '../../test/support/pdf-samples';
import { bundleEntry, bundlingOf, coldImport, lambdaEnvironment } from './bundles';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const kb = (bytes: number) => (bytes / 1024).toFixed(0);

/** Replaces the check's module with an empty one: the validator as it was before the check. */
const withoutPdfCheck: Plugin = {
  name: 'without-pdf-check',
  setup(build) {
    build.onResolve({ filter: /pdf-active-content$/ }, () => ({ path: 'pdf-active-content', namespace: 'stub' }));
    build.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export const inspectPdf = undefined;' }));
  },
};

async function timeChecks(runs: number): Promise<void> {
  console.log(`\n   the check's time in this process (median of ${runs}, after one warm-up)`);
  console.log('   PDF                                          KB      kinds                  median ms');
  for (const pages of [1, 1000]) {
    for (const objectStreams of [false, true]) {
      const pdf = await samplePdf(['javascriptAnnotation'], { objectStreams, pages });
      const label = `${pages} page${pages === 1 ? '' : 's'}, ${objectStreams ? 'object streams' : 'plain objects'}`;
      const first = await inspectPdf(pdf, limits.pdfInspection);
      const times: number[] = [];
      for (let run = 0; run < runs; run++) {
        const started = performance.now();
        await inspectPdf(pdf, limits.pdfInspection);
        times.push(performance.now() - started);
      }
      const kinds = first.inspected ? first.kinds.join(',') : `not inspected: ${first.why}`;
      console.log(
        `   ${label.padEnd(42)} ${kb(pdf.length).padStart(6)}      ${kinds.padEnd(22)} ${median(times).toFixed(2).padStart(9)}`,
      );
    }
  }
}

export async function measurePdf(options: { root: string; pairs: number; runs: number }): Promise<void> {
  const { root, pairs } = options;
  console.log('\n10. PDF active content (functions/domain/validation/pdf-active-content.ts, pdf-lib)');
  await timeChecks(options.runs);
  const { bundling } = await bundlingOf(root);
  const outDir = join(root, 'cdk.out', `bench-pdf-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  const validator = join(root, 'functions', 'upload-validator', 'index.ts');
  // All three from the same entry, so they differ only in the check.
  const handler = `export { handler } from ${JSON.stringify(validator)};`;
  const entries: [string, { name: string; path?: string; contents?: string }, Plugin[]][] = [
    ['validator without the check', { name: 'validator-without', contents: handler }, [withoutPdfCheck]],
    ['validator as built (parser not loaded)', { name: 'validator-built', contents: handler }, []],
    [
      'validator with the parser loaded',
      { name: 'validator-loaded', contents: `${handler} await import('#domain/validation/pdf-active-content');` },
      [],
    ],
    [
      'pdf-lib parser alone (probe)',
      {
        name: 'probe-pdf-lib',
        contents:
          "import { inspectPdf } from '#domain/validation/pdf-active-content'; console.error(typeof inspectPdf);",
      },
      [],
    ],
    [
      'pdf.js main module alone (probe; +1.3 MB worker)',
      {
        name: 'probe-pdfjs',
        contents: "import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs'; console.error(typeof getDocument);",
      },
      [],
    ],
  ];
  try {
    console.log(`\n   bundles and cold import against an empty node start (${pairs} pairs each)`);
    console.log('   bundle                                            KB raw  KB gzip  empty ms  added ms');
    for (const [label, entry, plugins] of entries) {
      const bundle = await bundleEntry(bundling, root, entry, outDir, plugins);
      const cold = coldImport(bundle.file, lambdaEnvironment('upload-validator', bundling), pairs);
      console.log(
        `   ${label.padEnd(48)} ${kb(bundle.bytes).padStart(7)} ${kb(bundle.gzip).padStart(8)} ${cold.emptyMs.toFixed(1).padStart(9)} ${cold.addedMs.toFixed(1).padStart(9)}`,
      );
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
