import { deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, type PDFObject, PDFString } from 'pdf-lib';

/**
 * PDFs written in code with pdf-lib's low-level objects, each carrying one thing the active
 * content check looks for. With `objectStreams`, every dictionary lands in a Flate-compressed
 * object stream: a byte search of the file finds none of their names.
 */
type Plant = (doc: PDFDocument) => void;

const N = (value: string) => PDFName.of(value);

const addAnnotation = (doc: PDFDocument, annotation: Record<string, PDFObject | string | number[]>) => {
  const page = doc.getPage(0);
  const ref = doc.context.register(doc.context.obj({ Type: 'Annot', Rect: [0, 0, 10, 10], ...annotation }));
  page.node.set(N('Annots'), doc.context.obj([ref]));
};

const javascriptAction = (doc: PDFDocument) =>
  doc.context.register(doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert(1)') }));

export const plants = {
  /** The document-level JavaScript name tree in the catalog's /Names. */
  javascriptNameTree: (doc) => {
    const tree = doc.context.obj({ Names: [PDFString.of('init'), javascriptAction(doc)] });
    doc.catalog.set(N('Names'), doc.context.obj({ JavaScript: doc.context.register(tree) }));
  },
  /** A link annotation whose action is JavaScript. */
  javascriptAnnotation: (doc) => addAnnotation(doc, { Subtype: 'Link', A: javascriptAction(doc) }),
  /** A form field's keystroke trigger (its /AA) running JavaScript. */
  javascriptFieldTrigger: (doc) => {
    const field = doc.context.obj({
      FT: 'Tx',
      T: PDFString.of('amount'),
      AA: doc.context.obj({ K: javascriptAction(doc) }),
    });
    doc.catalog.set(N('AcroForm'), doc.context.obj({ Fields: [doc.context.register(field)] }));
  },
  /** A launch action on a link annotation: opens a program. */
  launchAction: (doc) =>
    addAnnotation(doc, {
      Subtype: 'Link',
      A: doc.context.register(doc.context.obj({ S: 'Launch', F: PDFString.of('cmd.exe') })),
    }),
  /** The catalog's /OpenAction runs an action (here, opens a web address) when the file opens. */
  openAction: (doc) =>
    doc.catalog.set(
      N('OpenAction'),
      doc.context.register(doc.context.obj({ S: 'URI', URI: PDFString.of('https://example.org/') })),
    ),
  /** A page's additional actions: something runs when the page opens. */
  pageTrigger: (doc) =>
    doc
      .getPage(0)
      .node.set(
        N('AA'),
        doc.context.obj({ O: doc.context.obj({ S: 'URI', URI: PDFString.of('https://example.org/') }) }),
      ),
  /** A harmless /OpenAction: only a destination (the first page, fitted). */
  openDestination: (doc) => doc.catalog.set(N('OpenAction'), doc.context.obj([doc.getPage(0).ref, N('Fit')])),
  /** An attached file through pdf-lib's own attach (name tree, file specification, embedded stream). */
  attachedFile: async (doc) => {
    await doc.attach(new TextEncoder().encode('hello'), 'note.txt', { mimeType: 'text/plain' });
  },
  /** A file attachment annotation alone (its file specification names a file, embeds none). */
  fileAttachmentAnnotation: (doc) =>
    addAnnotation(doc, {
      Subtype: 'FileAttachment',
      FS: doc.context.obj({ Type: 'Filespec', F: PDFString.of('invoice.exe') }),
    }),
  /** An /EmbeddedFile stream that nothing refers to. */
  embeddedFileStream: (doc) => {
    doc.context.register(doc.context.flateStream(new TextEncoder().encode('payload'), { Type: 'EmbeddedFile' }));
  },
} satisfies Record<string, Plant | ((doc: PDFDocument) => Promise<void>)>;

export async function samplePdf(
  planted: readonly (keyof typeof plants)[],
  options: { objectStreams: boolean; pages?: number } = { objectStreams: false },
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let page = 0; page < (options.pages ?? 1); page++) {
    doc.addPage([200, 200]).drawText(`page ${page + 1}`, { x: 10, y: 100, size: 12 });
  }
  for (const plant of planted) await plants[plant](doc);
  return doc.save({ useObjectStreams: options.objectStreams });
}

/** A PDF whose trailer says it is encrypted (the check stops at that; no cipher is needed). */
export async function encryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]);
  doc.context.trailerInfo.Encrypt = doc.context.register(
    doc.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -44 }),
  );
  return doc.save({ useObjectStreams: false });
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');

/**
 * A file with one small object stream that inflates to `inflatedBytes` of spaces: a
 * decompression bomb, for the decoded-bytes bound.
 */
export function objectStreamBomb(inflatedBytes: number): Uint8Array {
  const body = deflateSync(Buffer.alloc(inflatedBytes, 0x20), { level: 9 });
  return Buffer.concat([
    latin1('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'),
    latin1(`2 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${body.length} >>\nstream\n`),
    body,
    latin1('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);
}

/** The names the check looks for, spelt with `#xx` escapes (a valid spelling a byte search misses). */
export const escapeNames = (pdf: Uint8Array): Uint8Array =>
  latin1(Buffer.from(pdf).toString('latin1').replaceAll('/JavaScript', '/Java#53cript').replaceAll('/JS ', '/J#53 '));

export type PlantName = keyof typeof plants;
