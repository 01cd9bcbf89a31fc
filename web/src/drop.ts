import type { SignedPart, StoredPart } from '#contracts/api/uploads';
import { ApiError, callApi } from './api-client';
import { loadConfig } from './config';
import { alertBox, focusOn, h, replaceChildren } from './elements';
import { formatBytes, formatDate, listOfTypes } from './format';
import { unfinishedUploads } from './unfinished-uploads';
import {
  abandonUpload,
  type MultipartUpload,
  type PresignedUpload,
  type UploadOutcome,
  type UploadRequest,
} from './upload-flow';
import { digestName, type SentFile, uploadPanel } from './upload-panel';

interface LinkSummary {
  label: string;
  uploadsLeft: number;
  maxBytes: number;
  allowedTypes: string[];
  expiresAt: string;
}

/** Why a link cannot be used, in words for someone who was only sent a link. */
const LINK_REFUSALS: Record<string, string> = {
  link_expired: 'This upload link has expired. Ask the person who sent it for a new one.',
  link_revoked: 'This upload link was withdrawn by the person who sent it. Ask them for a new one.',
  link_used_up: 'This upload link has been used as many times as allowed. Ask the person who sent it for a new one.',
  invalid_link: 'This upload link is not valid. Check that you opened the whole link.',
  missing_token: 'This page needs the whole upload link, including the part after #.',
};

const main = document.getElementById('main') as HTMLElement;

const uploadPath = (uploadId: string, action: 'confirm' | 'parts' | 'complete') =>
  `/api/drop/uploads/${encodeURIComponent(uploadId)}/${action}`;

function showRefusal(code: string, fallback: string): void {
  const heading = h('h1', {}, 'This link cannot be used');
  replaceChildren(
    main,
    heading,
    h('p', { class: 'refusal', role: 'alert', 'data-code': code }, LINK_REFUSALS[code] ?? fallback),
  );
  document.title = 'Link cannot be used - docdrop';
  focusOn(heading);
}

async function start(): Promise<void> {
  // The token lives in the fragment, which the browser never sends anywhere; we send it only in a header.
  const token = location.hash.slice(1);
  if (!/^[\w.-]{16,512}$/.test(token)) return showRefusal(token ? 'invalid_link' : 'missing_token', '');
  const config = await loadConfig();
  const credential = { uploadToken: token };
  // Per link, under a hash of its token (the token itself is kept nowhere but this page's address).
  const unfinished = unfinishedUploads(`link:${token}`);
  let link: LinkSummary;
  /** The link's last uses are held by uploads this browser left unfinished: only those may be finished here. */
  let finishing = false;
  try {
    link = await callApi<LinkSummary>(config.apiUrl, 'GET', '/api/drop', credential);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code !== 'link_used_up' || unfinished.list().length === 0) return showRefusal(error.code, error.message);
    finishing = true;
    link = { label: 'Finish sending your files', uploadsLeft: 0, maxBytes: 0, allowedTypes: [], expiresAt: '' };
  }

  const receipts: SentFile[] = [];
  const saveReceipts = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, onclick: () => downloadReceipts(link.label, receipts) },
    'Save receipts',
  );
  const left = h('dd', { 'data-testid': 'uploads-left' });
  const renderLeft = () => {
    left.textContent = link.uploadsLeft === 1 ? '1 file' : `${link.uploadsLeft} files`;
  };
  renderLeft();
  const panel = uploadPanel({
    id: 'drop',
    receipts: true,
    resumeOnly: finishing,
    policy: () => link,
    checkBatch: (files) => {
      if (link.uploadsLeft === 0) return 'This link takes no more files: everything it allowed has been sent.';
      return files.length > link.uploadsLeft
        ? `This link takes ${link.uploadsLeft === 1 ? 'only 1 more file' : `${link.uploadsLeft} more files`}; you chose ${files.length}. Choose fewer.`
        : undefined;
    },
    onSent: (sent) => {
      receipts.push(sent);
      saveReceipts.hidden = false;
    },
    steps: {
      presign: async (request: UploadRequest) => {
        const upload = await callApi<PresignedUpload | MultipartUpload>(
          config.apiUrl,
          'POST',
          '/api/drop/uploads',
          credential,
          request,
        );
        link.uploadsLeft = Math.max(0, link.uploadsLeft - 1);
        renderLeft();
        return upload;
      },
      confirm: (uploadId) => callApi<UploadOutcome>(config.apiUrl, 'POST', uploadPath(uploadId, 'confirm'), credential),
      abandon: async (uploadId) => {
        const fate = await abandonUpload(() =>
          callApi<void>(config.apiUrl, 'DELETE', `/api/drop/uploads/${encodeURIComponent(uploadId)}`, credential),
        );
        // The use it held is the client's again: a page only finishing uploads starts over, offering it.
        if (fate === 'given-back' && finishing) location.reload();
        else if (fate === 'given-back') {
          link.uploadsLeft += 1;
          renderLeft();
        }
        return fate;
      },
      parts: {
        signParts: (uploadId, parts) =>
          callApi<{ parts: SignedPart[] }>(config.apiUrl, 'POST', uploadPath(uploadId, 'parts'), credential, {
            parts,
          }).then((answer) => answer.parts),
        listParts: (uploadId) =>
          callApi<{ parts: StoredPart[] }>(config.apiUrl, 'GET', uploadPath(uploadId, 'parts'), credential).then(
            (answer) => answer.parts,
          ),
        complete: (uploadId) =>
          callApi<UploadOutcome>(config.apiUrl, 'POST', uploadPath(uploadId, 'complete'), credential),
        unfinished,
      },
    },
  });
  const heading = h('h1', {}, link.label);
  const facts = finishing
    ? h(
        'p',
        {},
        'This link takes no new files: its uses are held by the uploads below, which this browser started. Choose the same file again to finish each one.',
      )
    : h(
        'dl',
        { class: 'link-facts' },
        h('dt', {}, 'You may send'),
        h('dd', {}, listOfTypes(link.allowedTypes)),
        h('dt', {}, 'Largest file'),
        h('dd', {}, formatBytes(link.maxBytes)),
        h('dt', {}, 'Files left'),
        left,
        h('dt', {}, 'Open until'),
        h('dd', {}, h('time', { datetime: link.expiresAt }, formatDate(link.expiresAt))),
      );
  replaceChildren(
    main,
    h('p', { class: 'eyebrow' }, 'Send files securely with docdrop'),
    heading,
    facts,
    h('h2', {}, 'Your files'),
    panel.element,
    saveReceipts,
    h(
      'p',
      { class: 'hint' },
      'Files go straight to encrypted storage and are checked before the recipient can open them. Keep the receipt: its SHA-256 identifies exactly what you sent.',
    ),
  );
  document.title = `${link.label} - docdrop`;
}

/** The receipts as a text file the client keeps: what was sent, when, and each file's SHA-256. */
function downloadReceipts(label: string, receipts: readonly SentFile[]): void {
  const lines = [
    `docdrop receipts: ${label}`,
    '',
    ...receipts.map(
      ({ file, digest, at }) =>
        `${at.toISOString()}  ${file.name}  ${file.size} bytes  ${digestName(digest)} ${digest.hex}`,
    ),
    '',
  ];
  const url = URL.createObjectURL(new Blob([lines.join('\n')], { type: 'text/plain' }));
  const anchor = h('a', { href: url, download: 'docdrop-receipts.txt', class: 'visually-hidden' });
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// Another link pasted into the same tab changes only the fragment: start over with it.
window.addEventListener('hashchange', () => location.reload());

start().catch((error: Error) => {
  const alert = alertBox();
  alert.show(error.message);
  replaceChildren(main, h('h1', {}, 'Something went wrong'), alert.element);
});
