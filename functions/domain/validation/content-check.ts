import { fileTypeFromBuffer } from 'file-type';
import { TYPE_NAMES } from '#contracts/limits';

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly reason: string };

// Bytes a text file may hold below 0x20: tab, line feed, form feed, carriage return, escape.
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x1b]);

/**
 * Plain text has no magic number, so it is judged by content: UTF-8 (with or without a BOM)
 * and no control bytes other than whitespace. `complete` says whether `head` is the whole
 * file; if not, a multi-byte character cut at the end of the window is not held against it.
 */
export function looksLikeText(head: Uint8Array, complete: boolean): boolean {
  for (const byte of head) {
    if ((byte < 0x20 && !TEXT_CONTROLS.has(byte)) || byte === 0x7f) return false;
  }
  try {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    decoder.decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** The reason is read by people (the portal, the drop page, the arrival notice): a type's name, not its MIME type. */
const nameOf = (contentType: string, ext?: string): string =>
  TYPE_NAMES[contentType as keyof typeof TYPE_NAMES] ?? (ext ? `.${ext} file` : 'file of another kind');

/** "a PDF", "an AVIF image", "an MP4 file": by how the name sounds, as letters are read out. */
const withArticle = (name: string) => `${/^[aeiouAEFHILMNORSX]/.test(name) ? 'an' : 'a'} ${name}`;

/**
 * Compares what the first bytes of an upload are with what the client declared. Runs on a
 * small ranged read, never the whole object.
 */
export async function checkContent(
  head: Uint8Array,
  declared: { contentType: string; size: number },
  stored: { size: number },
): Promise<Verdict> {
  if (stored.size !== declared.size) {
    return {
      ok: false,
      code: 'size_mismatch',
      reason: `${stored.size} bytes arrived, not the ${declared.size} announced`,
    };
  }
  const detected = await fileTypeFromBuffer(head);
  if (detected) {
    if (detected.mime === declared.contentType) return { ok: true };
    const actual = nameOf(detected.mime, detected.ext);
    return {
      ok: false,
      code: 'type_mismatch',
      reason: `it is really ${withArticle(actual)}, not ${withArticle(nameOf(declared.contentType))}`,
    };
  }
  if (declared.contentType === 'text/plain') {
    if (looksLikeText(head, head.length >= stored.size)) return { ok: true };
    return { ok: false, code: 'not_text', reason: 'not a real plain text file (it holds bytes text does not)' };
  }
  return { ok: false, code: 'unrecognised', reason: `not a real ${nameOf(declared.contentType)}` };
}
