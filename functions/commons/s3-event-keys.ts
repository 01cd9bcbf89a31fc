/**
 * S3 writes object keys into event records URL-encoded, `/` kept and spaces as `+`. The
 * validator decodes them; the local event bridge (whose emulator sends raw keys) and the
 * tests encode them the same way.
 */
export const encodeEventKey = (key: string): string =>
  encodeURIComponent(key)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+');

export const decodeEventKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, ' '));
