import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
const ASSETS = 'assets';

/** The two pages and the script each one starts. */
const PAGES = [
  { file: 'index.html', entry: 'portal', title: 'docdrop', skipLink: true },
  // No skip link on the drop page: following `#main` would replace the link token in the fragment.
  { file: 'u/index.html', entry: 'drop', title: 'Send files - docdrop', skipLink: false },
] as const;

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M9 7h9l5 5v13H9z" fill="#fff"/><path d="M16 13v8m-3-3 3 3 3-3" stroke="#1d4ed8" stroke-width="2" fill="none"/></svg>`;

const contentHash = (content: string | Buffer): string =>
  createHash('sha256').update(content).digest('base64url').slice(0, 10);

/** `assets/portal-ABC.js` -> `/assets/portal-ABC.js`, whatever the output folder. */
const publicPath = (outDir: string, file: string): string => `/${relative(outDir, file).split('\\').join('/')}`;

function page(options: {
  title: string;
  script: string;
  preloads: string[];
  style: string;
  icon: string;
  skipLink: boolean;
}): string {
  // No inline script or style anywhere: the Content-Security-Policy allows only 'self'.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title}</title>
<link rel="icon" href="${options.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${options.style}">
${options.preloads.map((href) => `<link rel="modulepreload" href="${href}">`).join('\n')}
<script type="module" src="${options.script}"></script>
</head>
<body>
${options.skipLink ? '<a class="skip-link" href="#main">Skip to content</a>\n' : ''}<div id="live" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
<main id="main" tabindex="-1"><p class="loading">Loading...</p>
<noscript><p>docdrop needs JavaScript to hash and send your files.</p></noscript></main>
</body>
</html>
`;
}

/**
 * Builds the web app for production into `outDir`: `index.html` (owner portal),
 * `u/index.html` (client drop page) and content-hashed, minified scripts and styles under
 * `assets/`. It never writes `config.json`: the app reads `/config.json` at run time, so one
 * build serves the local system and the cloud.
 */
export async function buildWeb(outDir: string): Promise<void> {
  rmSync(join(outDir, ASSETS), { recursive: true, force: true });
  mkdirSync(join(outDir, ASSETS), { recursive: true });
  mkdirSync(join(outDir, 'u'), { recursive: true });
  const common: BuildOptions & { metafile: true } = {
    absWorkingDir: WEB_DIR,
    tsconfig: join(WEB_DIR, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    outdir: join(outDir, ASSETS),
    entryNames: '[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
  };
  // The part hasher runs in a Web Worker: its own bundle first, so the pages can name its hashed path.
  const worker = await build({
    ...common,
    entryPoints: { 'part-hasher': join(WEB_DIR, 'src/part-hasher.worker.ts') },
  });
  const [workerFile] = Object.keys(worker.metafile.outputs).filter((file) => file.endsWith('.js'));
  if (!workerFile) throw new Error('esbuild produced no script for src/part-hasher.worker.ts');
  const result = await build({
    ...common,
    absWorkingDir: WEB_DIR,
    entryPoints: {
      portal: join(WEB_DIR, 'src/portal.ts'),
      drop: join(WEB_DIR, 'src/drop.ts'),
      styles: join(WEB_DIR, 'src/styles.css'),
    },
    splitting: true,
    chunkNames: 'shared-[hash]',
    define: { __PART_HASHER_URL__: JSON.stringify(publicPath(outDir, join(WEB_DIR, workerFile))) },
  });
  const outputs = Object.entries(result.metafile.outputs);
  const outputOf = (source: string, ext: string): [string, Metafile['outputs'][string]] => {
    const found = outputs.find(([file, output]) => output.entryPoint === `src/${source}` && file.endsWith(ext));
    if (!found) throw new Error(`esbuild produced no ${ext} output for src/${source}`);
    return [join(WEB_DIR, found[0]), found[1]];
  };
  const [styleFile] = outputOf('styles.css', '.css');
  const iconFile = join(outDir, ASSETS, `icon-${contentHash(ICON)}.svg`);
  writeFileSync(iconFile, ICON);
  for (const { file, entry, title, skipLink } of PAGES) {
    const [scriptFile, output] = outputOf(`${entry}.ts`, '.js');
    const preloads = output.imports
      .filter((imported) => imported.kind === 'import-statement')
      .map((imported) => publicPath(outDir, join(WEB_DIR, imported.path)));
    writeFileSync(
      join(outDir, file),
      page({
        title,
        script: publicPath(outDir, scriptFile),
        preloads,
        style: publicPath(outDir, styleFile),
        icon: publicPath(outDir, iconFile),
        skipLink,
      }),
    );
  }
}

export interface PageWeight {
  readonly page: string;
  readonly scripts: string[];
  readonly bytes: number;
  readonly gzip: number;
  readonly brotli: number;
}

/** What each page's first load costs in script: its entry and every chunk it imports, raw and compressed. */
export function measureWebBuild(outDir: string): PageWeight[] {
  return PAGES.map(({ file }) => {
    const html = readFileSync(join(outDir, file), 'utf8');
    const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((match) => match[1] as string);
    const contents = scripts.map((script) => readFileSync(join(outDir, script)));
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return {
      page: `/${file.replace('index.html', '')}`,
      scripts: scripts.map((script) => basename(script)),
      bytes: sum(contents.map((content) => content.length)),
      gzip: sum(contents.map((content) => gzipSync(content, { level: 9 }).length)),
      brotli: sum(
        contents.map(
          (content) => brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
        ),
      ),
    };
  });
}
