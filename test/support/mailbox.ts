import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `.eml` file the local system wrote instead of sending, read as a mail client would. */
export interface ReceivedMail {
  readonly file: string;
  readonly raw: string;
  readonly to: string;
  readonly subject: string;
  /** The text/plain part, decoded from quoted-printable. */
  readonly text: string;
  readonly html: string;
}

/** Quoted-printable (soft breaks, =XX escapes) decoded as a mail client would. */
export const decodeQuotedPrintable = (text: string): string =>
  Buffer.from(
    text
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');

function partOf(raw: string, type: string): string {
  const boundary = /boundary="([^"]+)"/.exec(raw)?.[1] ?? '';
  const part = raw.split(`--${boundary}`).find((candidate) => candidate.includes(`Content-Type: ${type};`)) ?? '';
  return decodeQuotedPrintable(part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '')).replace(/\r\n/g, '\n');
}

const header = (raw: string, name: string): string =>
  new RegExp(`^${name}: (.*)$`, 'm').exec(raw.slice(0, raw.indexOf('\r\n\r\n')))?.[1]?.trim() ?? '';

/** Every message in the folder addressed to `to`, in the order written (the names sort by time). */
export function mailTo(mailDir: string, to: string): ReceivedMail[] {
  if (!existsSync(mailDir)) return [];
  return readdirSync(mailDir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((file) => {
      const raw = readFileSync(join(mailDir, file), 'utf8');
      return {
        file,
        raw,
        to: header(raw, 'To'),
        subject: header(raw, 'Subject'),
        text: partOf(raw, 'text/plain'),
        html: partOf(raw, 'text/html'),
      };
    })
    .filter((mail) => mail.to === to);
}
