import type { ActiveContentKind } from '#contracts/api/drive';
import type { ArrivalNotice } from '#domain/links/arrival-notices';

/** One e-mail as the sender composes it; the transport (SES, or a file locally) adds the sender address. */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** A notice with what the sender looked up for it: the link's label (absent for an owner's own upload). */
export interface LabelledNotice extends ArrivalNotice {
  readonly linkLabel?: string;
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

/** A size as a person reads it: decimal units (as mail clients and file managers show them), one decimal below 10. */
export function sizeInWords(bytes: number): string {
  if (bytes === 1) return '1 byte';
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} bytes`;
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${rounded} ${UNITS[unit]}`;
}

const ACTIVE_CONTENT_WORDS: Record<Exclude<ActiveContentKind, 'not_inspected'>, string> = {
  javascript: 'JavaScript',
  launch_action: 'an action that launches a program',
  open_action: 'an action run on opening',
  embedded_file: 'embedded files',
};

/** What happened to the file, in words. */
export function outcomeInWords(notice: ArrivalNotice): string {
  if (notice.status === 'held') {
    return `held for you: the malware scan could not decide (${notice.reason ?? 'no result'}). Release or discard it in docdrop.`;
  }
  if (notice.status === 'rejected') {
    return notice.code === 'malware'
      ? 'rejected: the malware scan found a threat. It cannot be downloaded.'
      : `rejected: ${notice.reason ?? 'it failed the checks'}.`;
  }
  // An encrypted or unreadable PDF was released unchecked: say so rather than call it active.
  if (notice.activeContent?.includes('not_inspected')) {
    return 'passed the checks, but it is a PDF that could not be checked for active content (encrypted or unreadable).';
  }
  if (notice.activeContent?.length) {
    const kinds = notice.activeContent.filter((kind) => kind !== 'not_inspected');
    return `passed the checks; it is a PDF with active content (${kinds.map((kind) => ACTIVE_CONTENT_WORDS[kind]).join(', ')}).`;
  }
  return 'passed the checks.';
}

/**
 * A client controls the file name and the owner the label: control characters (a line break
 * could fake a header-looking line in the text part) become spaces, and long ones are cut.
 */
const printable = (text: string, max = 200): string => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed.
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
};

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );

const through = (notice: LabelledNotice): string =>
  notice.linkId ? `through your link "${printable(notice.linkLabel ?? 'upload link', 100)}"` : 'as your own upload';

const lineOf = (notice: LabelledNotice): string =>
  `"${printable(notice.name)}" (${sizeInWords(notice.size)}), sent ${through(notice)}: ${outcomeInWords(notice)}`;

const htmlLineOf = (notice: LabelledNotice): string =>
  `<strong>${escapeHtml(printable(notice.name))}</strong> (${sizeInWords(notice.size)}), sent ${escapeHtml(through(notice))}: ${escapeHtml(outcomeInWords(notice))}`;

/**
 * Subjects never carry the file name: a client chooses it (it could read as a phishing line),
 * and it may be personal ("J Smith divorce.pdf") where lock screens and mail lists show subjects.
 */
function subjectOf(notice: ArrivalNotice): string {
  if (notice.status === 'held') return 'docdrop: a file is held for your review';
  if (notice.status === 'rejected') {
    return notice.code === 'malware'
      ? 'docdrop: a file was rejected as malware'
      : 'docdrop: a file sent through your link was rejected';
  }
  return 'docdrop: a file arrived through your link';
}

function compose(
  to: string,
  subject: string,
  lines: readonly string[],
  htmlLines: readonly string[],
  portalUrl: string,
) {
  const text = [
    ...lines,
    '',
    `Open docdrop to see your files: ${portalUrl}`,
    '',
    'You get this e-mail because of your notice settings in docdrop (Settings).',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    ...htmlLines.map((line) => `<p>${line}</p>`),
    `<p><a href="${escapeHtml(portalUrl)}">Open docdrop</a> to see your files.</p>`,
    '<p style="color:#666">You get this e-mail because of your notice settings in docdrop (Settings).</p>',
    '</body></html>',
  ].join('\n');
  return { to, subject, text, html };
}

/** The e-mail of one notice (preference `each`, or an owner's own upload they must act on). */
export function noticeMail(notice: LabelledNotice, to: string, portalUrl: string): MailMessage {
  return compose(to, subjectOf(notice), [lineOf(notice)], [htmlLineOf(notice)], portalUrl);
}

/** One e-mail of a day's notices (preference `daily`), oldest first. */
export function digestMail(
  notices: readonly LabelledNotice[],
  to: string,
  portalUrl: string,
  day: string,
): MailMessage {
  const count = notices.length === 1 ? '1 file' : `${notices.length} files`;
  return compose(
    to,
    `docdrop: ${count} on ${day}`,
    [`Your docdrop arrivals on ${day} (UTC):`, '', ...notices.map((notice) => `- ${lineOf(notice)}`)],
    [`Your docdrop arrivals on ${escapeHtml(day)} (UTC):`, ...notices.map(htmlLineOf)],
    portalUrl,
  );
}

/** Where a composed e-mail goes: SES in the cloud, an `.eml` file locally (functions/commons/mail.ts). */
export interface MailTransport {
  send(message: MailMessage): Promise<void>;
}
