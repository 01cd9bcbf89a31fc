import { describe, expect, it } from 'vitest';
import { api, describeUpload, newOwner, PDF, putToS3, system, waitForSettled } from '../support/harness';

/**
 * A file name is whatever the client says it is. It must never reach an object key, and what
 * the owner sees and downloads must be safe to show and to save: no path, no control or
 * bidirectional characters, at most 255 characters, and a Content-Disposition every browser
 * reads the same way.
 */

const MAX_NAME_CHARS = 255;
// Controls (C0, DEL, C1) and bidirectional marks, embeddings, overrides and isolates.
const CONTROL_OR_BIDI = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const EMOJI_NAME = '🧾 Rechnung März 👩‍💻 (final).pdf';

const hostileNames: readonly [string, string, (shown: string) => void][] = [
  ['a path that climbs out', '../../etc/passwd', (shown) => expect(shown).not.toContain('..')],
  ['a path with folders', 'a/b/c.pdf', (shown) => expect(shown).toBe('c.pdf')],
  ['a NUL byte', 'invoice.pdf\u0000.exe', (shown) => expect(shown).not.toContain('\u0000')],
  ['1000 characters', `${'a'.repeat(996)}.pdf`, (shown) => expect(shown.endsWith('.pdf')).toBe(true)],
  [
    'a right-to-left override',
    'invoice\u202Efdp.exe',
    // Shown without the override, it reads as the program it is.
    (shown) => expect(shown.endsWith('.exe')).toBe(true),
  ],
  ['emoji', EMOJI_NAME, (shown) => expect(shown).toBe(EMOJI_NAME)],
  [
    'a Windows reserved device name',
    'CON.txt',
    (shown) => {
      expect(shown).not.toMatch(WINDOWS_RESERVED);
      expect(shown.endsWith('.txt')).toBe(true);
    },
  ],
  ['only dots', '...', (shown) => expect(shown).not.toMatch(/^\.*$/)],
];

/** The filename and filename* parameters of a Content-Disposition header. */
function parseDisposition(header: string) {
  return {
    type: header.split(';')[0]?.trim(),
    filename: /(?:^|;)\s*filename="([^"]*)"/.exec(header)?.[1],
    filenameStar: /(?:^|;)\s*filename\*=UTF-8''([^;\s]+)/.exec(header)?.[1],
  };
}

async function presignPdfNamed(fileName: string) {
  const owner = await newOwner();
  const presign = await api('POST', '/api/uploads', {
    token: owner.idToken,
    body: describeUpload(fileName, 'application/pdf', PDF),
  });
  return { owner, presign };
}

describe('file names', () => {
  it.each(hostileNames)(
    'signs an upload named with %s under a key that never contains the name',
    async (_case, name) => {
      // prepare
      const owner = await newOwner();

      // act
      const presign = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: describeUpload(name, 'application/pdf', PDF),
      });

      // assess
      expect(presign.status).toBe(201);
      const path = decodeURIComponent(new URL(presign.body.url).pathname);
      expect(path).toBe(`/${system.bucket}/incoming/${owner.sub}/${presign.body.uploadId}`);
    },
  );

  it.each(hostileNames)('lists an upload named with %s under a safe name', async (_case, name, expectShown) => {
    // prepare
    const { owner, presign } = await presignPdfNamed(name);
    expect(presign.status).toBe(201);
    expect((await putToS3(presign.body, PDF)).status).toBe(200);

    // act
    const file = await waitForSettled(owner, presign.body.uploadId);

    // assess
    const shown: string = file.name;
    expect(shown.length).toBeGreaterThan(0);
    expect(shown).not.toMatch(/[/\\]/);
    expect(shown).not.toMatch(CONTROL_OR_BIDI);
    expect([...shown].length).toBeLessThanOrEqual(MAX_NAME_CHARS);
    expectShown(shown);
  });

  it.each(hostileNames)('downloads an upload named with %s with a safe Content-Disposition', async (_case, name) => {
    // prepare
    const { owner, presign } = await presignPdfNamed(name);
    expect((await putToS3(presign.body, PDF)).status).toBe(200);
    const file = await waitForSettled(owner, presign.body.uploadId);
    expect(file.status).toBe('clean');

    // act
    const download = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
    const fetched = await fetch(download.body.url);

    // assess
    expect(download.status).toBe(200);
    expect(fetched.status).toBe(200);
    const header = fetched.headers.get('content-disposition') ?? '';
    // Printable ASCII only: nothing a browser could read as another header or a bidi trick.
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    const disposition = parseDisposition(header);
    expect(disposition.type).toBe('attachment');
    expect(disposition.filename).toBeDefined();
    expect(disposition.filename).not.toMatch(/["\\/]/);
    expect(disposition.filenameStar).toBeDefined();
    expect(decodeURIComponent(disposition.filenameStar as string)).toBe(file.name);
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(PDF);
  });

  it('round-trips an emoji name through filename* and falls back to ASCII in filename', async () => {
    // prepare
    const { owner, presign } = await presignPdfNamed(EMOJI_NAME);
    expect((await putToS3(presign.body, PDF)).status).toBe(200);
    const file = await waitForSettled(owner, presign.body.uploadId);

    // act
    const download = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
    const fetched = await fetch(download.body.url);

    // assess
    expect(fetched.status).toBe(200);
    const disposition = parseDisposition(fetched.headers.get('content-disposition') ?? '');
    expect(decodeURIComponent(disposition.filenameStar as string)).toBe(EMOJI_NAME);
    expect(disposition.filename).toMatch(/^[\x20-\x7e]+$/);
    expect(disposition.filename?.endsWith('.pdf')).toBe(true);
  });

  it('keeps the extension when it shortens a long name to 255 characters', async () => {
    // prepare
    const { owner, presign } = await presignPdfNamed(`${'Quarterly report '.repeat(60)}.pdf`);
    expect((await putToS3(presign.body, PDF)).status).toBe(200);

    // act
    const file = await waitForSettled(owner, presign.body.uploadId);

    // assess
    expect([...file.name].length).toBeLessThanOrEqual(MAX_NAME_CHARS);
    expect(file.name.startsWith('Quarterly report')).toBe(true);
    expect(file.name.endsWith('.pdf')).toBe(true);
  });
});
