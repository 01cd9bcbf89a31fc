import type { PdfActiveContentPolicy } from '#contracts/api/account';
import type { ActiveContentKind } from '#contracts/api/drive';
import { h } from './elements';

/** What the file list says of a PDF released with active content: a short badge and, on hover, why it matters. */
const BADGES: Record<ActiveContentKind, { readonly words: string; readonly title: string }> = {
  javascript: {
    words: 'Contains scripts',
    title: 'This PDF carries JavaScript, which a PDF reader may run when it is opened or used.',
  },
  launch_action: {
    words: 'Starts a program',
    title: 'This PDF has an action that asks the reader to start a program or open another file.',
  },
  open_action: {
    words: 'Opens an action',
    title: 'This PDF runs an action when it is opened, such as opening a web address.',
  },
  embedded_file: {
    words: 'Has attachments',
    title: 'This PDF carries other files inside it; they were not checked.',
  },
  not_inspected: {
    words: 'Not checked',
    title:
      'This PDF could not be checked for active content (too large, encrypted or damaged); it was accepted as your settings allow.',
  },
};

/** The badges of a file's active content, or nothing for a file without any. */
export function activeContentBadges(kinds: readonly ActiveContentKind[] | undefined): HTMLElement | null {
  if (!kinds?.length) return null;
  return h(
    'p',
    { class: 'active-content' },
    ...kinds.map((kind) =>
      h('span', { class: `badge badge-${kind}`, title: BADGES[kind].title, 'data-kind': kind }, BADGES[kind].words),
    ),
  );
}

/** The link form's choice: '' leaves it to the owner's setting. */
export const LINK_PDF_CHOICES: readonly { readonly value: PdfActiveContentPolicy | ''; readonly words: string }[] = [
  { value: '', words: 'Use my setting' },
  { value: 'allow', words: 'Accept, flagged' },
  { value: 'refuse', words: 'Refuse' },
];

/** What the link list says of a link that chose for itself. */
export const LINK_PDF_WORDS: Record<PdfActiveContentPolicy, string> = {
  allow: 'Accepts PDFs with scripts or attachments, flagged',
  refuse: 'Refuses PDFs with scripts or attachments',
};
