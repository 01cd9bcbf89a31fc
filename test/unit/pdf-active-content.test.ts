import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MiB } from '#contracts/limits';
import { inspectPdf, type PdfInspectionBounds } from '#domain/validation/pdf-active-content';
import { encryptedPdf, escapeNames, objectStreamBomb, type PlantName, samplePdf } from '../support/pdf-samples';

const bounds: PdfInspectionBounds = { maxBytes: 10 * MiB, maxDecodedBytes: 16 * MiB, timeoutMs: 5000 };
const hasBytes = (pdf: Uint8Array, text: string) => Buffer.from(pdf).includes(text);

const cases: readonly [PlantName, readonly string[]][] = [
  ['javascriptNameTree', ['javascript']],
  ['javascriptAnnotation', ['javascript']],
  ['javascriptFieldTrigger', ['javascript']],
  ['launchAction', ['launch_action']],
  ['openAction', ['open_action']],
  ['pageTrigger', ['open_action']],
  ['attachedFile', ['embedded_file']],
  ['fileAttachmentAnnotation', ['embedded_file']],
  ['embeddedFileStream', ['embedded_file']],
];

describe('inspectPdf', () => {
  for (const objectStreams of [false, true]) {
    const where = objectStreams ? 'in a compressed object stream' : 'as plain objects';
    for (const [plant, kinds] of cases) {
      it(`finds ${kinds.join(', ')} planted by ${plant}, ${where}`, async () => {
        // prepare
        const pdf = await samplePdf([plant], { objectStreams });

        // act
        const inspection = await inspectPdf(pdf, bounds);

        // assess
        expect(inspection).toEqual({ inspected: true, kinds });
      });
    }
  }

  it('finds JavaScript a byte search cannot: only inside a Flate-compressed object stream', async () => {
    // prepare
    const pdf = await samplePdf(['javascriptNameTree', 'javascriptAnnotation'], { objectStreams: true });
    expect(hasBytes(pdf, '/JavaScript') || hasBytes(pdf, '/JS') || hasBytes(pdf, 'app.alert')).toBe(false);
    expect(hasBytes(pdf, '/ObjStm')).toBe(true);

    // act
    const inspection = await inspectPdf(pdf, bounds);

    // assess
    expect(inspection).toEqual({ inspected: true, kinds: ['javascript'] });
  });

  it('finds JavaScript under names spelt with #xx escapes (/Java#53cript), which a byte search misses', async () => {
    // prepare
    const pdf = escapeNames(await samplePdf(['javascriptAnnotation'], { objectStreams: false }));
    expect(hasBytes(pdf, '/JavaScript')).toBe(false);

    // act
    const inspection = await inspectPdf(pdf, bounds);

    // assess
    expect(inspection).toEqual({ inspected: true, kinds: ['javascript'] });
  });

  it('finds JavaScript in an object a later revision of the file redefines without it (a viewer may still use either)', async () => {
    // prepare: an incremental update appends a harmless object under the JavaScript action's number
    const plain = Buffer.from(await samplePdf(['javascriptAnnotation'], { objectStreams: false }));
    const number = /(\d+) 0 obj\n<<\n\/S \/JavaScript/.exec(plain.toString('latin1'))?.[1];
    expect(number).toBeDefined();
    const updated = Buffer.concat([
      plain,
      Buffer.from(`\n${number} 0 obj\n<< /S /GoTo /D [0 /Fit] >>\nendobj\n%%EOF\n`),
    ]);

    // act
    const inspection = await inspectPdf(updated, bounds);

    // assess
    expect(inspection).toEqual({ inspected: true, kinds: ['javascript'] });
  });

  it('reports every kind a file carries, once each', async () => {
    // prepare
    const pdf = await samplePdf(['javascriptNameTree', 'launchAction', 'openAction', 'attachedFile', 'pageTrigger'], {
      objectStreams: true,
    });

    // act
    const inspection = await inspectPdf(pdf, bounds);

    // assess
    expect(inspection).toEqual({
      inspected: true,
      kinds: ['embedded_file', 'javascript', 'launch_action', 'open_action'],
    });
  });

  for (const objectStreams of [false, true]) {
    it(`finds nothing in a clean PDF with text, fonts and an open destination (${objectStreams ? 'object streams' : 'plain'})`, async () => {
      // prepare
      const pdf = await samplePdf(['openDestination'], { objectStreams, pages: 3 });

      // act
      const inspection = await inspectPdf(pdf, bounds);

      // assess
      expect(inspection).toEqual({ inspected: true, kinds: [] });
    });
  }

  const uninspectable: readonly [string, () => Promise<Uint8Array> | Uint8Array, string][] = [
    ['an encrypted PDF', encryptedPdf, 'it is encrypted'],
    [
      'a PDF cut in half',
      async () => (await samplePdf(['javascriptAnnotation'], { objectStreams: true })).subarray(0, 600),
      'it could not be read as a PDF (damaged or not a PDF)',
    ],
    ['random bytes', () => randomBytes(64 * 1024), 'it could not be read as a PDF (damaged or not a PDF)'],
    [
      'random bytes behind a PDF header',
      () => Buffer.concat([Buffer.from('%PDF-1.7\n1 0 obj\n'), randomBytes(64 * 1024)]),
      'it could not be read as a PDF (damaged or not a PDF)',
    ],
    [
      'an array nested 200,000 deep',
      () => Buffer.from(`%PDF-1.7\n1 0 obj\n${'['.repeat(200_000)}`),
      'it could not be read as a PDF (damaged or not a PDF)',
    ],
    [
      'an object stream inflating to 64 MiB (bound 16 MiB)',
      () => objectStreamBomb(64 * MiB),
      'its objects decode to more than 16 MiB',
    ],
  ];
  for (const [what, make, why] of uninspectable) {
    it(`says why ${what} cannot be inspected, within the time bound`, async () => {
      // prepare
      const pdf = await make();
      const started = Date.now();

      // act
      const inspection = await inspectPdf(pdf, bounds);

      // assess
      expect(inspection).toEqual({ inspected: false, why });
      expect(Date.now() - started).toBeLessThan(bounds.timeoutMs);
    });
  }

  it('stops a parse that outlasts its deadline and says so', async () => {
    // prepare: 1,000 pages take far longer than 1 ms to parse
    const pdf = await samplePdf([], { objectStreams: false, pages: 1000 });
    const started = Date.now();

    // act
    const inspection = await inspectPdf(pdf, { ...bounds, timeoutMs: 1 });

    // assess
    expect(inspection).toEqual({ inspected: false, why: 'checking it took longer than 0.001 s' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('holds its deadline while it skips a damaged stretch (8 MiB of random bytes behind a PDF header)', async () => {
    // prepare: pdf-lib skips such a stretch in one synchronous loop, trying an object header at
    // every byte; unchecked, this took 12 s and ended "inspected" with nothing found
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(8 * MiB)]);
    const started = Date.now();

    // act
    const inspection = await inspectPdf(pdf, { ...bounds, maxBytes: 16 * MiB, timeoutMs: 1 });

    // assess
    expect(inspection).toEqual({ inspected: false, why: 'checking it took longer than 0.001 s' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up a file mostly not made of PDF objects as damaged, before its skipping holds the validator long', async () => {
    // prepare: 8 MiB of random bytes behind a PDF header, well inside the time bound
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(8 * MiB)]);

    // act
    const inspection = await inspectPdf(pdf, { ...bounds, maxBytes: 16 * MiB });

    // assess
    expect(inspection).toEqual({ inspected: false, why: 'it is damaged: most of it is not PDF objects' });
  });

  it('finds JavaScript in an object after a damaged stretch, as a viewer recovering the file would', async () => {
    // prepare: garbage (no object header in it) and then one object, which only the skipping reaches
    const garbage = Buffer.from(randomBytes(256 * 1024).map((byte) => (byte >= 0x30 && byte <= 0x39 ? 0x41 : byte)));
    const pdf = Buffer.concat([
      Buffer.from('%PDF-1.7\n'),
      garbage,
      Buffer.from('\n7 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n'),
    ]);

    // act
    const inspection = await inspectPdf(pdf, bounds);

    // assess
    expect(inspection).toEqual({ inspected: true, kinds: ['javascript'] });
  });

  it('does not parse a PDF over the size bound', async () => {
    // prepare
    const pdf = await samplePdf(['javascriptAnnotation'], { objectStreams: false });

    // act
    const inspection = await inspectPdf(pdf, { ...bounds, maxBytes: pdf.length - 1 });

    // assess
    expect(inspection).toEqual({ inspected: false, why: 'it is larger than 0 MiB' });
  });
});
