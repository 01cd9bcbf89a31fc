// Stand-in until the web app lands; the web branch replaces this file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const page = (title: string) =>
  `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1></body>\n</html>\n`;

/** Writes the production build of the web app into `outDir` (never `config.json`). */
export async function buildWeb(outDir: string): Promise<void> {
  await mkdir(join(outDir, 'u'), { recursive: true });
  await writeFile(join(outDir, 'index.html'), page('docdrop'));
  await writeFile(join(outDir, 'u', 'index.html'), page('docdrop: send documents'));
}
