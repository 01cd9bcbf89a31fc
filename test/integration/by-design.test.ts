import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { uploadInto } from '../support/drive';
import { api, ELF, newOwner, TEXT } from '../support/harness';

/**
 * What the README's "What is by design" promises, held to it: a non-image file is checked
 * on its first bytes only, and a PDF with active content is released, but only ever as an
 * attachment of the type that was checked. If a later change adds a deeper check, these
 * tests fail and the README must change with it.
 */

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((part) => [...part]));

// A PDF that runs JavaScript when opened (an /OpenAction naming a /JavaScript action).
const PDF_WITH_JAVASCRIPT = TEXT(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >> endobj\n' +
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    '3 0 obj << /Type /Action /S /JavaScript /JS (app.alert\\("docdrop"\\);) >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
);

async function downloadOf(bytes: Uint8Array, name: string) {
  const owner = await newOwner();
  const upload = await uploadInto(owner, name, { bytes });
  const download = await api('GET', `/api/files/${upload.fileId}/download`, { token: owner.idToken });
  const fetched = await fetch(download.body.url);
  return { status: upload.status, fetched, body: new Uint8Array(await fetched.arrayBuffer()) };
}

describe('what is by design', () => {
  it('releases a PDF with JavaScript, as an attachment of type application/pdf only', async () => {
    // act
    const { status, fetched, body } = await downloadOf(PDF_WITH_JAVASCRIPT, 'active.pdf');

    // assess
    expect(status).toBe('clean');
    expect(fetched.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    expect(body).toEqual(PDF_WITH_JAVASCRIPT);
  });

  it('checks a PDF on its first bytes only: a program after them is not looked at', async () => {
    // prepare: a well-formed PDF start, padded past the sniffed window, then an ELF executable
    const start = TEXT(`%PDF-1.4\n%${' '.repeat(limits.sniffBytes)}\n`);
    const bytes = concat(start, ELF, TEXT('\n%%EOF\n'));

    // act
    const { status, fetched } = await downloadOf(bytes, 'padded.pdf');

    // assess
    expect(status).toBe('clean');
    expect(fetched.headers.get('content-disposition')).toMatch(/^attachment;/);
  });
});
