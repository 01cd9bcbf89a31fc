import { describe, expect, it } from 'vitest';
import { limits, MiB } from '#contracts/limits';
import { declaredTypeOf, formatBytes } from '../../web/src/format';
import { refusalOf } from '../../web/src/upload-checks';

const ownerPolicy = { maxBytes: limits.maxFileBytes, allowedTypes: limits.ownerAllowedTypes };
const fileOf = (name: string, type: string, size: number): File => new File([new Uint8Array(size)], name, { type });

describe('the browser checks a file against the limits before sending anything', () => {
  it('accepts a supported type within the size limit', () => {
    expect(refusalOf(fileOf('report.pdf', 'application/pdf', 1024), ownerPolicy)).toBeUndefined();
  });

  it('refuses an SVG with the reason the API gives', () => {
    const refusal = refusalOf(fileOf('logo.svg', 'image/svg+xml', 10), ownerPolicy);
    expect(refusal).toContain('SVG images can carry script');
  });

  it('refuses a type the link does not allow, naming what it allows', () => {
    const link = { maxBytes: 5 * MiB, allowedTypes: ['application/pdf'] };
    expect(refusalOf(fileOf('photo.png', 'image/png', 10), link)).toBe(
      'photo.png is not a type accepted here. Accepted: PDF.',
    );
  });

  it('refuses a file one byte over the limit, and an empty one', () => {
    const link = { maxBytes: 1000, allowedTypes: ['text/plain'] };
    expect(refusalOf(fileOf('notes.txt', 'text/plain', 1000), link)).toBeUndefined();
    expect(refusalOf(fileOf('notes.txt', 'text/plain', 1001), link)).toContain('the limit here is 1000 bytes');
    expect(refusalOf(fileOf('empty.txt', 'text/plain', 0), link)).toBe('empty.txt is empty.');
  });

  it('takes the type from the name when the browser reports none', () => {
    expect(declaredTypeOf(fileOf('notes.TXT', '', 1))).toBe('text/plain');
    expect(declaredTypeOf(fileOf('scan.jpeg', '', 1))).toBe('image/jpeg');
    expect(declaredTypeOf(fileOf('setup.exe', '', 1))).toBe('application/octet-stream');
  });

  it('writes sizes in binary units', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(25 * MiB)).toBe('25 MB');
  });
});
