import { describe, expect, it } from 'vitest';
import { checkContent, looksLikeText } from '#domain/validation/content-check';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** A 1x1 PNG. */
const PNG = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);
const PDF = utf8('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('looksLikeText', () => {
  it('accepts UTF-8 text in any script', () => {
    // prepare
    const text = utf8('Invoice 42\nRésumé — 履歴書 — Ελληνικά — 🎉\n');

    // act
    const verdict = looksLikeText(text, true);

    // assess
    expect(verdict).toBe(true);
  });

  it('accepts text that starts with a UTF-8 byte order mark', () => {
    // prepare
    const text = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('hello')]);

    // act
    const verdict = looksLikeText(text, true);

    // assess
    expect(verdict).toBe(true);
  });

  it('accepts the whitespace controls text files hold: tab, line feed, form feed, carriage return, escape', () => {
    // prepare
    const text = utf8('a\tb\r\nc\fd\u001b[0m');

    // act
    const verdict = looksLikeText(text, true);

    // assess
    expect(verdict).toBe(true);
  });

  it('does not hold a multi-byte character cut at the end of the window against the file', () => {
    // prepare: "é" is C3 A9; the window ends after C3
    const window = new Uint8Array([...utf8('caf'), 0xc3]);

    // act
    const verdict = looksLikeText(window, false);

    // assess
    expect(verdict).toBe(true);
  });

  it('rejects a cut multi-byte character when the window is the whole file', () => {
    // prepare
    const whole = new Uint8Array([...utf8('caf'), 0xc3]);

    // act
    const verdict = looksLikeText(whole, true);

    // assess
    expect(verdict).toBe(false);
  });

  it('rejects a NUL byte', () => {
    // act
    const verdict = looksLikeText(new Uint8Array([...utf8('text'), 0x00, ...utf8('more')]), false);

    // assess
    expect(verdict).toBe(false);
  });

  it.each([0x01, 0x07, 0x08, 0x0b, 0x1f, 0x7f])('rejects the control byte 0x%s', (control) => {
    // act
    const verdict = looksLikeText(new Uint8Array([...utf8('text'), control]), true);

    // assess
    expect(verdict).toBe(false);
  });

  it.each([
    ['a lone continuation byte', bytes(0x61, 0x80, 0x62)],
    ['an invalid lead byte', bytes(0x61, 0xff, 0x62)],
    ['an overlong encoding', bytes(0xc0, 0xaf)],
    ['a UTF-16 surrogate encoded in UTF-8', bytes(0xed, 0xa0, 0x80)],
    ['a cut character in the middle', bytes(0x61, 0xc3, 0x62)],
  ])('rejects bytes that are not UTF-8 (%s), even in a partial window', (_case, head) => {
    // act
    const verdict = looksLikeText(head, false);

    // assess
    expect(verdict).toBe(false);
  });

  it('accepts an empty window', () => {
    // act
    const verdict = looksLikeText(new Uint8Array(), true);

    // assess
    expect(verdict).toBe(true);
  });
});

describe('checkContent', () => {
  it('passes a file whose content is the declared type', async () => {
    // act
    const verdict = await checkContent(PNG, { contentType: 'image/png', size: PNG.length }, { size: PNG.length });

    // assess
    expect(verdict).toEqual({ ok: true });
  });

  it('refuses a file whose content is another type than the one declared, naming both in words', async () => {
    // act
    const verdict = await checkContent(PNG, { contentType: 'application/pdf', size: PNG.length }, { size: PNG.length });

    // assess
    expect(verdict).toEqual({ ok: false, code: 'type_mismatch', reason: 'it is really a PNG image, not a PDF' });
  });

  it('names an unsupported type by its file ending, never its MIME type', async () => {
    // prepare: a ZIP archive's local file header
    const zip = bytes(0x50, 0x4b, 0x03, 0x04, ...new Array(26).fill(0));

    // act
    const verdict = await checkContent(zip, { contentType: 'image/avif', size: zip.length }, { size: zip.length });

    // assess
    expect(verdict).toEqual({
      ok: false,
      code: 'type_mismatch',
      reason: 'it is really a .zip file, not an AVIF image',
    });
    expect(verdict.ok === false && verdict.reason).not.toMatch(/\w+\/[\w.+-]+/);
  });

  it('refuses a file that is not the size declared', async () => {
    // act
    const verdict = await checkContent(
      PDF,
      { contentType: 'application/pdf', size: PDF.length + 1 },
      { size: PDF.length },
    );

    // assess
    expect(verdict).toEqual({
      ok: false,
      code: 'size_mismatch',
      reason: `${PDF.length} bytes arrived, not the ${PDF.length + 1} announced`,
    });
  });

  it('checks the size before anything else', async () => {
    // act
    const verdict = await checkContent(PNG, { contentType: 'application/pdf', size: 10 }, { size: PNG.length });

    // assess
    expect(verdict).toMatchObject({ ok: false, code: 'size_mismatch' });
  });

  it('passes plain UTF-8 text declared as text/plain', async () => {
    // prepare
    const text = utf8('Hello, world — ünïcødé\n');

    // act
    const verdict = await checkContent(text, { contentType: 'text/plain', size: text.length }, { size: text.length });

    // assess
    expect(verdict).toEqual({ ok: true });
  });

  it('passes a large text file whose window ends inside a multi-byte character', async () => {
    // prepare: the window is the first 4100 bytes of a longer file, cut inside "é"
    const window = new Uint8Array([...utf8('a'.repeat(4099)), 0xc3]);

    // act
    const verdict = await checkContent(window, { contentType: 'text/plain', size: 10_000 }, { size: 10_000 });

    // assess
    expect(verdict).toEqual({ ok: true });
  });

  it('refuses binary content declared as text/plain', async () => {
    // prepare
    const binary = bytes(0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0x10, 0x11);

    // act
    const verdict = await checkContent(binary, { contentType: 'text/plain', size: 8 }, { size: 8 });

    // assess
    expect(verdict).toEqual({
      ok: false,
      code: 'not_text',
      reason: 'not a real plain text file (it holds bytes text does not)',
    });
  });

  it('refuses a recognisable file declared as text/plain', async () => {
    // act
    const verdict = await checkContent(PNG, { contentType: 'text/plain', size: PNG.length }, { size: PNG.length });

    // assess
    expect(verdict).toMatchObject({ ok: false, code: 'type_mismatch' });
  });

  it('refuses text declared as a type that has a magic number', async () => {
    // prepare
    const text = utf8('definitely not a PDF');

    // act
    const verdict = await checkContent(
      text,
      { contentType: 'application/pdf', size: text.length },
      { size: text.length },
    );

    // assess
    expect(verdict).toEqual({ ok: false, code: 'unrecognised', reason: 'not a real PDF' });
  });
});
