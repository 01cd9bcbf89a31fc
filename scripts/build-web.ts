import { resolve } from 'node:path';
import { buildWeb } from '../web/build';

/**
 * `tsx scripts/build-web.ts <outDir>`: the web app's production build, as the CDK stack bundles it
 * (in a process of its own, because CDK's local bundling hook is synchronous).
 */
const outDir = process.argv[2];
if (!outDir) {
  console.error('usage: tsx scripts/build-web.ts <outDir>');
  process.exit(2);
}
await buildWeb(resolve(outDir));
