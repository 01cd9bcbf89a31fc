import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bucketLayout } from '#contracts/bucket';
import { digestFunction, noticeSenderFunction, sweepFunction, validatorFunction } from '#contracts/functions';
import { routeKey, routes } from '#contracts/routes';

const ROOT = join(import.meta.dirname, '..', '..');
const README = join(ROOT, 'README.md');

interface MapRow {
  readonly trigger: string;
  readonly functionName: string;
  readonly functionPath: string;
  readonly useCases: readonly { name: string; path: string }[];
  readonly paths: readonly string[];
}

/** The rows of the table under "## Find your way": trigger | function | use case. */
function findYourWayRows(): MapRow[] {
  const text = readFileSync(README, 'utf8');
  const section = text.split(/^## /m).find((part) => part.startsWith('Find your way'));
  if (!section) throw new Error('README.md has no "## Find your way" section');
  const tableLines = section.split('\n').filter((line) => line.startsWith('|'));
  return tableLines.slice(2).map((line) => {
    const cells = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim());
    const [trigger = '', fn = '', useCase = ''] = cells;
    const link = /^\[`([a-z-]+)`\]\(([^)]+)\)$/.exec(fn);
    if (!link) throw new Error(`function cell is not [\`name\`](path): ${fn}`);
    const useCases = [...useCase.matchAll(/`(\w+)` in `([^`]+)`/g)].map((m) => ({
      name: m[1] as string,
      path: m[2] as string,
    }));
    const paths = [link[2] as string, ...useCases.map((u) => u.path)];
    return { trigger, functionName: link[1] as string, functionPath: link[2] as string, useCases, paths };
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const withoutCodeBlocks = (markdown: string): string => markdown.replace(/^```[\s\S]*?^```/gm, '');

const anchorsIn = (markdown: string): Set<string> =>
  new Set(
    [...withoutCodeBlocks(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((heading) => anchorOf(heading[1] as string)),
  );

const markdownFiles = (): string[] => [
  README,
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name)),
];

/** Every relative link target of one Markdown file, as written. */
const relativeLinksIn = (file: string): string[] =>
  [...withoutCodeBlocks(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z]+:/i.test(target));

describe('the README find-your-way table', () => {
  it('names every route of the route table with the function that serves it', () => {
    // prepare
    const rows = findYourWayRows();

    // act
    const missing = routes.filter(
      (route) =>
        !rows.some(
          (row) =>
            row.trigger === `\`${routeKey(route)}\`` &&
            row.functionName === route.handler &&
            row.functionPath === `functions/${route.handler}/index.ts`,
        ),
    );

    // assess
    expect(missing.map(routeKey)).toEqual([]);
  });

  it('names the S3 event and the scan result that run the validator, the schedules and the queue that run the rest, and no trigger the system lacks', () => {
    // prepare
    const rows = findYourWayRows();
    const validatorRow = `S3 ObjectCreated under \`${bucketLayout.incomingPrefix}\``;
    const scanResultRow = `GuardDuty's scan result for \`${bucketLayout.incomingPrefix}\` (EventBridge; locally the stand-in scanner)`;
    const sweepRow = 'a schedule (locally: at start and every minute)';
    const noticeRow = 'the notice queue (SQS; locally an in-process queue)';
    const digestRow = 'a daily schedule at 07:00 UTC (locally: at start and every 10 minutes)';

    // act
    const triggers = rows.map((row) => row.trigger);
    const validator = rows.find((row) => row.trigger === validatorRow);
    const scanResult = rows.find((row) => row.trigger === scanResultRow);
    const sweep = rows.find((row) => row.trigger === sweepRow);

    // assess
    expect(validator?.functionName).toBe(validatorFunction);
    expect(validator?.functionPath).toBe(`functions/${validatorFunction}/index.ts`);
    expect(scanResult?.functionName).toBe(validatorFunction);
    expect(sweep?.functionName).toBe(sweepFunction);
    expect(sweep?.functionPath).toBe(`functions/${sweepFunction}/index.ts`);
    for (const [trigger, name] of [
      [noticeRow, noticeSenderFunction],
      [digestRow, digestFunction],
    ] as const) {
      const row = rows.find((candidate) => candidate.trigger === trigger);
      expect(row?.functionName, trigger).toBe(name);
      expect(row?.functionPath, trigger).toBe(`functions/${name}/index.ts`);
    }
    expect(triggers.sort()).toEqual(
      [
        ...routes.map((route) => `\`${routeKey(route)}\``),
        validatorRow,
        scanResultRow,
        sweepRow,
        noticeRow,
        digestRow,
      ].sort(),
    );
  });

  it('names only files that exist', () => {
    // prepare
    const paths = findYourWayRows().flatMap((row) => row.paths);

    // act
    const missing = paths.filter((path) => !existsSync(join(ROOT, path)));

    // assess
    expect(paths.length).toBeGreaterThan(routes.length);
    expect(missing).toEqual([]);
  });

  it('names each use case in the file that exports it', () => {
    // prepare
    const useCases = findYourWayRows().flatMap((row) => row.useCases);

    // act
    const notExported = useCases.filter(
      ({ name, path }) =>
        !new RegExp(`export (async )?(function|const|class) ${name}\\b`).test(readFileSync(join(ROOT, path), 'utf8')),
    );

    // assess
    expect(useCases.length).toBeGreaterThan(0);
    expect(notExported).toEqual([]);
  });
});

describe('links in README.md and docs/', () => {
  it('point at files that exist, and at headings those files have', () => {
    // prepare
    const files = markdownFiles();

    // act
    const broken = files.flatMap((file) =>
      relativeLinksIn(file).flatMap((target) => {
        const [path = '', anchor] = target.split('#');
        const resolved = path === '' ? file : join(dirname(file), path);
        if (!existsSync(resolved)) return [`${relative(ROOT, file)}: ${target} (no such file)`];
        if (anchor && resolved.endsWith('.md') && !anchorsIn(readFileSync(resolved, 'utf8')).has(anchor)) {
          return [`${relative(ROOT, file)}: ${target} (no such heading)`];
        }
        return [];
      }),
    );

    // assess
    expect(files.length).toBeGreaterThan(1);
    expect(broken).toEqual([]);
  });
});
