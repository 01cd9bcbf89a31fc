import { limits } from '../limits';
import * as z from '../zod';

/**
 * Every text a caller sends (names, labels, folder names, e-mails) is well-formed Unicode.
 * JSON can carry a lone surrogate (`"\ud83d"`) that no UTF-8 store, header or file system
 * can hold, so it is refused here, once, instead of breaking whatever later encodes it.
 */
export const wellFormed = z.refine<string>(
  (value: string) => value.isWellFormed(),
  'must be well-formed Unicode (no lone surrogates)',
);
export const text = z.string().check(wellFormed);

/** Ids in paths are ours (see ids.ts); anything else cannot name an object and is refused early. */
export const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a valid id'));

export const pageQuery = z.strictObject({
  cursor: z.optional(text.check(z.maxLength(2048))),
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(limits.listPage.max)), limits.listPage.default),
});

/** A folder as routes and bodies name it: a folder id, or `root` for the top level. */
export const folderRef = z.union([z.literal('root'), id]);

/** A MIME type as `type/subtype`, compared in lower case; parameters such as `; charset=` are not part of the contract. */
export const mimeType = z.pipe(
  z.string().check(z.maxLength(100), z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a MIME type such as application/pdf')),
  z.transform((type: string) => type.toLowerCase()),
);

/** An instant as the API writes it: ISO 8601 in UTC (`Date.prototype.toISOString`). */
export const timestamp = z.iso.datetime();

/** Every refusal and failure: a stable code for programs and a sentence for people. */
export const errorResponse = z.object({
  error: z.object({ code: z.string().check(z.minLength(1)), message: z.string() }),
});

/** One page of a list; `cursor` is there only when more follows (send it back to get the next page). */
export const page = <Item extends z.ZodMiniType>(item: Item) =>
  z.object({ items: z.array(item), cursor: z.optional(z.string().check(z.minLength(1))) });

/** A short-lived GET of stored bytes (a download, a thumbnail, a profile photo). */
export const signedRead = z.object({ url: z.url(), expiresAt: timestamp });
