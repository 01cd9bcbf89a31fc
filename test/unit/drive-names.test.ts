import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { claimIdOf, nameKeyOf, numberedName, sizeKeyOf } from '#domain/drive/names';

describe('numberedName', () => {
  it('numbers a copy before the extension, as desktop systems do', () => {
    // act
    const names = [1, 2, 10].map((n) => numberedName('report.pdf', n));

    // assess
    expect(names).toEqual(['report (1).pdf', 'report (2).pdf', 'report (10).pdf']);
  });

  it('keeps only the last extension after the number', () => {
    // act
    const name = numberedName('archive.tar.gz', 1);

    // assess
    expect(name).toBe('archive.tar (1).gz');
  });

  it('numbers a name without an extension, or one that only starts with a dot, at its end', () => {
    // act
    const names = [numberedName('README', 1), numberedName('.env', 2), numberedName('notes.', 1)];

    // assess
    expect(names).toEqual(['README (1)', '.env (2)', 'notes. (1)']);
  });

  it('does not treat a long tail after the last dot as an extension', () => {
    // act
    const name = numberedName('minutes v1.draft for the board', 1);

    // assess
    expect(name).toBe('minutes v1.draft for the board (1)');
  });

  it('shortens the base of a name at the length limit so the number and extension survive', () => {
    // prepare
    const long = `${'é'.repeat(limits.fileNameMaxChars - 4)}.pdf`;

    // act
    const name = numberedName(long, 123);

    // assess
    expect([...name]).toHaveLength(limits.fileNameMaxChars);
    expect(name.endsWith(' (123).pdf')).toBe(true);
  });
});

describe('names within a folder', () => {
  it('compares names without regard to case or Unicode composition', () => {
    // prepare
    const spellings = ['Résumé.PDF', 'résumé.pdf', 'Re\u0301sume\u0301.pdf', 'RÉSUMÉ.pdf'];

    // act
    const keys = new Set(spellings.map(nameKeyOf));
    const claims = new Set(spellings.map((name) => claimIdOf('folder1', name)));

    // assess
    expect(keys.size).toBe(1);
    expect(claims.size).toBe(1);
  });

  it('claims the same name separately in different folders', () => {
    // act
    const claims = [claimIdOf('root', 'a.pdf'), claimIdOf('folder1', 'a.pdf')];

    // assess
    expect(claims[0]).not.toBe(claims[1]);
  });

  it('keeps a claim key short whatever the name, within what a DynamoDB sort key holds', () => {
    // prepare
    const longest = '𝔘'.repeat(limits.fileNameMaxChars);

    // act
    const claim = claimIdOf('000000000AAAAAAAAAAAAAA', longest);

    // assess
    expect(Buffer.byteLength(claim)).toBeLessThan(100);
  });

  it('writes sizes so that text order is number order', () => {
    // prepare
    const sizes = [5, 1_000, 42, 5 * 1024 ** 3, 0];

    // act
    const sorted = sizes.map(sizeKeyOf).sort();

    // assess
    expect(sorted).toEqual([0, 5, 42, 1_000, 5 * 1024 ** 3].map(sizeKeyOf));
  });
});
