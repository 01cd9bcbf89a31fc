import { limits } from '#contracts/limits';

// Controls, bidirectional overrides and invisible formatting characters (but not the zero-width
// joiner that holds emoji sequences together): they can make `invoice‮fdp.exe` read as a PDF.
const INVISIBLE = /[\p{Cc}\u00AD\u061C\u180E\u200B\u200C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]/gu;
// Reserved on Windows or macOS file systems.
const RESERVED_CHARS = /[<>:"/\\|?*]/g;
const RESERVED_NAMES = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;
const MAX_EXTENSION_CHARS = 16;

/**
 * A file name that is safe to store, show and offer back as a download name. The name is
 * only ever metadata: object keys come from ids.
 */
export function sanitizeFileName(raw: string): string {
  const lastSegment = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  let name = lastSegment
    .replace(INVISIBLE, '')
    .replace(RESERVED_CHARS, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (RESERVED_NAMES.test(name)) name = `_${name}`;
  if (name === '') return 'file';
  return truncateKeepingExtension(name, limits.fileNameMaxChars);
}

function truncateKeepingExtension(name: string, maxChars: number): string {
  const chars = [...name];
  if (chars.length <= maxChars) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? [...name.slice(dot)] : [];
  const keep = extension.length > 0 && extension.length <= MAX_EXTENSION_CHARS ? extension : [];
  return (
    chars
      .slice(0, maxChars - keep.length)
      .join('')
      .trimEnd() + keep.join('')
  );
}

/**
 * A `Content-Disposition` that names the download in every browser (RFC 6266 with an ASCII
 * fallback). It never throws: a name stored before text had to be well-formed may hold a lone
 * surrogate, which `encodeURIComponent` refuses, so it is offered with U+FFFD in its place.
 */
export function attachmentDisposition(storedName: string): string {
  const name = storedName.toWellFormed();
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
