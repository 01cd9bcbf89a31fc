import { describe, expect, it } from 'vitest';
import { attachmentDisposition, sanitizeFileName } from '#commons/file-names';
import { limits } from '#contracts/limits';

describe('sanitizeFileName', () => {
  it('keeps only the last path segment, whichever separator the client used', () => {
    // prepare
    const names = ['../../etc/passwd', 'C:\\Users\\me\\report.pdf', 'a/b\\c/invoice.pdf'];

    // act
    const sanitized = names.map(sanitizeFileName);

    // assess
    expect(sanitized).toEqual(['passwd', 'report.pdf', 'invoice.pdf']);
  });

  it('removes control characters and bidirectional overrides that disguise an extension', () => {
    // prepare
    const disguised = 'invoice\u202Efdp.exe';
    const withControls = 're\u0000po\u0007rt\u001b.pdf';
    const withInvisibles = 'a\u200Bb\u200Ec\u2066d\uFEFFe\u00ADf.txt';

    // act
    const sanitized = [disguised, withControls, withInvisibles].map(sanitizeFileName);

    // assess
    expect(sanitized).toEqual(['invoicefdp.exe', 'report.pdf', 'abcdef.txt']);
  });

  it('keeps the zero-width joiner that holds an emoji sequence together', () => {
    // prepare
    const family = 'family \u{1F468}\u200D\u{1F469}\u200D\u{1F467}.png';

    // act
    const sanitized = sanitizeFileName(family);

    // assess
    expect(sanitized).toBe(family);
  });

  it('replaces characters reserved on Windows and macOS', () => {
    // act
    const sanitized = sanitizeFileName('a<b>c:d"e|f?g*h.txt');

    // assess
    expect(sanitized).toBe('a_b_c_d_e_f_g_h.txt');
  });

  it.each([
    ['CON', '_CON'],
    ['con.txt', '_con.txt'],
    ['Nul.tar.gz', '_Nul.tar.gz'],
    ['COM1.pdf', '_COM1.pdf'],
    ['lpt9', '_lpt9'],
    ['aux ', '_aux'],
  ])('prefixes the reserved Windows device name %j', (raw, expected) => {
    // act
    const sanitized = sanitizeFileName(raw);

    // assess
    expect(sanitized).toBe(expected);
  });

  it('leaves names that only start like a reserved device name alone', () => {
    // act
    const sanitized = ['console.txt', 'auxiliary.pdf', 'common.png'].map(sanitizeFileName);

    // assess
    expect(sanitized).toEqual(['console.txt', 'auxiliary.pdf', 'common.png']);
  });

  it('strips leading dots and spaces so a name cannot be hidden or relative', () => {
    // act
    const sanitized = ['.htaccess', '...secret.pdf', '  . notes.txt', 'trailing.pdf. . '].map(sanitizeFileName);

    // assess
    expect(sanitized).toEqual(['htaccess', 'secret.pdf', 'notes.txt', 'trailing.pdf']);
  });

  it('collapses runs of whitespace into one space', () => {
    // act
    const sanitized = sanitizeFileName('quarterly   \u00A0 report\n.pdf');

    // assess
    expect(sanitized).toBe('quarterly report.pdf');
  });

  it.each(['', '   ', '...', '/', 'folder/', '../..', '\u202E\u200B', '\u0000'])(
    'falls back to "file" when nothing usable is left of %j',
    (raw) => {
      // act
      const sanitized = sanitizeFileName(raw);

      // assess
      expect(sanitized).toBe('file');
    },
  );

  it('normalises to NFC so one name has one spelling', () => {
    // prepare
    const decomposed = 'Cafe\u0301.pdf';

    // act
    const sanitized = sanitizeFileName(decomposed);

    // assess
    expect(sanitized).toBe('Caf\u00E9.pdf');
  });

  it('truncates a long name to the limit and keeps its extension', () => {
    // prepare
    const long = `${'a'.repeat(400)}.pdf`;

    // act
    const sanitized = sanitizeFileName(long);

    // assess
    expect(sanitized).toHaveLength(limits.fileNameMaxChars);
    expect(sanitized.endsWith('.pdf')).toBe(true);
    expect(sanitized).toBe(`${'a'.repeat(limits.fileNameMaxChars - 4)}.pdf`);
  });

  it('counts characters, not UTF-16 units, and never splits a character when truncating', () => {
    // prepare
    const long = `${'\u{1F4C4}'.repeat(300)}.txt`;

    // act
    const sanitized = sanitizeFileName(long);

    // assess
    expect([...sanitized]).toHaveLength(limits.fileNameMaxChars);
    expect(sanitized.endsWith('.txt')).toBe(true);
    // A split surrogate pair would not survive a UTF-8 round trip.
    expect(Buffer.from(sanitized, 'utf8').toString('utf8')).toBe(sanitized);
  });

  it('truncates without keeping an "extension" that is implausibly long', () => {
    // prepare
    const long = `report.${'x'.repeat(400)}`;

    // act
    const sanitized = sanitizeFileName(long);

    // assess
    expect(sanitized).toBe(long.slice(0, limits.fileNameMaxChars));
  });

  it('leaves a name at exactly the limit unchanged', () => {
    // prepare
    const exact = `${'b'.repeat(limits.fileNameMaxChars - 4)}.png`;

    // act
    const sanitized = sanitizeFileName(exact);

    // assess
    expect(sanitized).toBe(exact);
  });
});

describe('attachmentDisposition', () => {
  it('offers a plain ASCII name as both filename and filename*', () => {
    // act
    const disposition = attachmentDisposition('report.pdf');

    // assess
    expect(disposition).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  });

  it("percent-encodes ' ( ) * in filename*, which RFC 5987 does not allow bare", () => {
    // act
    const disposition = attachmentDisposition("it's (final)*.pdf");

    // assess
    const extended = disposition.split("filename*=UTF-8''")[1];
    expect(extended).toBe('it%27s%20%28final%29%2A.pdf');
  });

  it('encodes non-ASCII names as UTF-8 in filename* and falls back to underscores in filename', () => {
    // act
    const disposition = attachmentDisposition('Résumé 履歴書.pdf');

    // assess
    expect(disposition).toBe(
      `attachment; filename="R_sum_ ___.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf`,
    );
  });

  it('cannot be broken out of: quotes, backslashes and line breaks never reach the header raw', () => {
    // act
    const disposition = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1.pdf');

    // assess
    expect(disposition).not.toMatch(/[\r\n]/);
    expect(disposition).toContain('filename="a_b_c__Set-Cookie: x=1.pdf"');
    expect(disposition).toContain("filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x%3D1.pdf");
  });

  it('never throws on a stored name with a lone surrogate: it offers U+FFFD in its place', () => {
    // prepare: stored before text had to be well-formed; encodeURIComponent alone throws on it
    const stored = 'invoice\ud83d.pdf';
    expect(() => encodeURIComponent(stored)).toThrow(URIError);

    // act
    const disposition = attachmentDisposition(stored);

    // assess
    expect(disposition).toBe(`attachment; filename="invoice_.pdf"; filename*=UTF-8''invoice%EF%BF%BD.pdf`);
  });
});
