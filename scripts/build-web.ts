/**
 * `npm run build:web [-- <outDir>]`: the production web app (default `dist/web`), and what each
 * page's first load costs in script, raw and compressed (printed, never asserted).
 */
import { resolve } from 'node:path';
import { buildWeb, measureWebBuild } from '../web/build';

const outDir = resolve(process.argv[2] ?? 'dist/web');
const started = performance.now();
await buildWeb(outDir);
const ms = Math.round(performance.now() - started);
console.log(`web app built into ${outDir} in ${ms} ms`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
for (const weight of measureWebBuild(outDir)) {
  console.log(
    `  ${weight.page.padEnd(4)} first-load script ${kb(weight.bytes)} raw, ${kb(weight.gzip)} gzip, ${kb(weight.brotli)} brotli  (${weight.scripts.join(' + ')})`,
  );
}
