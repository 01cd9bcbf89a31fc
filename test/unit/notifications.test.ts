import { describe, expect, it } from 'vitest';
import { quotedPrintable, rfc5322Message } from '#commons/mail';
import { arrivalNotice } from '#domain/links/arrival-notices';
import { digestMail, noticeMail, sizeInWords } from '#domain/notices/notice-mail';
import { decodeQuotedPrintable } from '../support/mailbox';

const file = {
  ownerId: 'owner-1',
  fileId: 'file-1',
  linkId: 'link-1',
  name: 'scan.pdf',
  contentType: 'application/pdf',
  size: 2_400_000,
  sha256: 'x',
  status: 'pending' as const,
  createdAt: '2026-11-22T00:00:00.000Z',
};
const PORTAL = 'https://docdrop.example/';

describe('arrival notice e-mails', () => {
  it('say the name, the size in words, the outcome, the link label and where the portal is', () => {
    // act
    const mail = noticeMail({ ...arrivalNotice(file, 'clean'), linkLabel: 'Tax 2026' }, 'ann@example.test', PORTAL);

    // assess
    expect(mail.to).toBe('ann@example.test');
    expect(mail.subject).toBe('docdrop: a file arrived through your link');
    expect(mail.text).toContain('"scan.pdf" (2.4 MB), sent through your link "Tax 2026": passed the checks.');
    expect(mail.text).toContain(PORTAL);
    expect(mail.html).toContain(`<a href="${PORTAL}">`);
  });

  it('carry the reason of a rejection, and what a PDF with active content carries', () => {
    // act
    const rejected = noticeMail(
      arrivalNotice(file, 'rejected', { code: 'type_mismatch', reason: 'the content is application/x-elf' }),
      'ann@example.test',
      PORTAL,
    );
    const flagged = noticeMail(
      arrivalNotice(file, 'clean', { activeContent: ['javascript', 'embedded_file'] }),
      'ann@example.test',
      PORTAL,
    );
    const held = noticeMail(arrivalNotice(file, 'held', { reason: 'FAILED' }), 'ann@example.test', PORTAL);

    // assess
    expect(rejected.subject).toContain('rejected');
    expect(rejected.text).toContain('rejected: the content is application/x-elf.');
    expect(flagged.text).toContain('active content (JavaScript, embedded files)');
    expect(held.subject).toContain('held');
    expect(held.text).toContain('Release or discard it');
  });

  it('keep the client-chosen name out of the subject, escaped in the HTML and on one line in the text', () => {
    // prepare
    const hostile = { ...file, name: '<img src=x onerror=alert(1)>\nTo: boss@example.test.pdf' };

    // act
    const mail = noticeMail(arrivalNotice(hostile, 'clean'), 'ann@example.test', PORTAL);

    // assess
    expect(mail.subject).not.toContain('img');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.text.split('\n').some((line) => line.startsWith('To:'))).toBe(false);
  });

  it('list every file of the day in one digest', () => {
    // act
    const mail = digestMail(
      [arrivalNotice(file, 'clean'), arrivalNotice({ ...file, fileId: 'file-2', name: 'id.png', size: 900 }, 'clean')],
      'ann@example.test',
      PORTAL,
      '2026-11-22',
    );

    // assess
    expect(mail.subject).toBe('docdrop: 2 files on 2026-11-22');
    expect(mail.text).toContain('"scan.pdf" (2.4 MB)');
    expect(mail.text).toContain('"id.png" (900 bytes)');
  });

  it('write sizes as people read them', () => {
    expect([1, 999, 1000, 2_400_000, 15_000_000, 5_368_709_120].map(sizeInWords)).toEqual([
      '1 byte',
      '999 bytes',
      '1 KB',
      '2.4 MB',
      '15 MB',
      '5.4 GB',
    ]);
  });
});

describe('the local .eml file', () => {
  const mail = noticeMail(
    { ...arrivalNotice({ ...file, name: `Überweisung ${'lang '.repeat(30)}.pdf` }, 'clean'), linkLabel: 'Büro' },
    'ann@example.test',
    PORTAL,
  );
  const raw = rfc5322Message(mail, 'docdrop@example.test', new Date('2026-11-22T10:00:00Z'), 'id-1');

  it('is well-formed MIME: CRLF lines of at most 76 characters in the body, the headers, both parts and the closing boundary', () => {
    // act
    const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);

    // assess
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(head.split('\r\n')).toEqual([
      'From: docdrop@example.test',
      'To: ann@example.test',
      'Subject: docdrop: a file arrived through your link',
      'Date: Sun, 22 Nov 2026 10:00:00 +0000',
      'Message-ID: <id-1@docdrop.local>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="=_docdrop_id-1"',
    ]);
    expect(body.split('\r\n').every((line) => line.length <= 76)).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: 7-bit means no byte above 126.
    expect(raw).toMatch(/^[\x09\x0d\x0a\x20-\x7e]*$/);
    expect(body).toContain('--=_docdrop_id-1\r\nContent-Type: text/plain; charset=UTF-8');
    expect(body).toContain('--=_docdrop_id-1\r\nContent-Type: text/html; charset=UTF-8');
    expect(body.endsWith('--=_docdrop_id-1--\r\n')).toBe(true);
  });

  it('decodes back to the text, non-ASCII included', () => {
    // act
    const part = raw.split('--=_docdrop_id-1')[1] ?? '';
    const textPart = part.slice(part.indexOf('\r\n\r\n') + 4);

    // assess
    expect(decodeQuotedPrintable(textPart.trimEnd())).toBe(mail.text.replace(/\n/g, '\r\n'));
  });

  it('quoted-printable keeps escapes whole across soft breaks and protects a trailing space', () => {
    // act
    const encoded = quotedPrintable(`${'é'.repeat(40)} `);

    // assess
    const softBroken = encoded.split('\r\n').slice(0, -1);
    expect(softBroken.length).toBeGreaterThan(0);
    expect(softBroken.every((line) => line.length <= 76 && /(^|[^=]|=[0-9A-F]{2})=$/.test(line))).toBe(true);
    expect(encoded.endsWith('=20')).toBe(true);
    expect(decodeQuotedPrintable(encoded)).toBe(`${'é'.repeat(40)} `);
  });
});
