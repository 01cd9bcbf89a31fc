import { alertBox, announce, h, replaceChildren } from './elements';
import { acceptAttribute, formatBytes, formatDate, listOfTypes } from './format';
import type { UnfinishedUpload } from './unfinished-uploads';
import { refusalOf } from './upload-checks';
import {
  type Digest,
  followUntilDecided,
  type PartSteps,
  partsHeld,
  ResumeRefused,
  resumeFile,
  sendFile,
  sentInParts,
  type UploadOutcome,
  type UploadPolicy,
  type UploadStage,
  type UploadSteps,
} from './upload-flow';

/** What a receipt calls its digest: the file's SHA-256, or S3's composite over a multipart upload's parts. */
export const digestName = (digest: Digest): string => (digest.parts ? `SHA-256 of ${digest.parts} parts` : 'SHA-256');

const STAGE_WORDS: Record<UploadStage, string> = {
  hashing: 'Computing the checksum...',
  signing: 'Asking for permission to send...',
  sending: 'Sending...',
  confirming: 'Confirming...',
};

export const STATUS_WORDS: Record<UploadOutcome['status'], string> = {
  pending: 'Being checked',
  clean: 'Clean',
  rejected: 'Rejected',
  expired: 'Not sent in time',
  held: 'Held: the malware scan could not decide',
};

/** A client has no file list: the drop page follows each file on its own to the checks' decision. */
const CLIENT_STATUS_WORDS: Record<UploadOutcome['status'], string> = {
  pending: 'Received; being checked...',
  clean: 'Received; passed the checks and delivered',
  rejected: 'Received, but refused by the checks',
  expired: 'Not sent in time',
  // The practice decides; the client's part is done.
  held: 'Received; waiting for the practice to review it',
};
/** How long the drop page keeps asking: the checks take seconds; a client is not kept waiting for ever. */
const CLIENT_PATIENCE_MS = 5 * 60_000;

export interface SentFile {
  readonly file: File;
  readonly outcome: UploadOutcome;
  readonly digest: Digest;
  readonly at: Date;
}

export interface UploadPanelOptions {
  readonly id: string;
  readonly policy: () => UploadPolicy;
  readonly steps: UploadSteps;
  /** A refusal for the whole batch (e.g. more files than the link has uses left), before anything is sent. */
  readonly checkBatch?: (files: File[]) => string | undefined;
  readonly onSent?: (sent: SentFile, item: UploadItem) => void;
  /**
   * The drop page: shows the name, size, SHA-256 and time of each file received (its
   * receipt), and follows each one to the checks' decision (the owner's file list does that in the portal).
   */
  readonly receipts?: boolean;
  /** Only the unfinished uploads are offered (a link whose uses they hold): no new files. */
  readonly resumeOnly?: boolean;
}

export interface UploadItem {
  readonly element: HTMLLIElement;
  settle(outcome: UploadOutcome): void;
}

function uploadItem(
  file: File,
  words: Record<UploadOutcome['status'], string>,
  cancellable: boolean,
): UploadItem & {
  readonly signal?: AbortSignal;
  stage(stage: UploadStage): void;
  progress(sent: number, total: number): void;
  fail(message: string): void;
  receipt(sent: SentFile): void;
} {
  const status = h('span', { class: 'status' }, 'Waiting');
  const bar = h('progress', { max: file.size, value: 0, 'aria-label': `Bytes of ${file.name} sent` });
  const detail = h('div', { class: 'detail' });
  // Only an upload in parts can be cancelled: it is aborted, and its use and bytes given back.
  const cancel = cancellable ? new AbortController() : undefined;
  const cancelButton = cancel
    ? h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => cancel.abort() },
        h('span', { 'aria-hidden': 'true' }, 'Cancel'),
        h('span', { class: 'visually-hidden' }, `Cancel sending ${file.name}`),
      )
    : null;
  const element = h(
    'li',
    { class: 'upload-item' },
    h(
      'div',
      { class: 'row' },
      h('span', { class: 'name' }, file.name),
      h('span', { class: 'size' }, formatBytes(file.size)),
    ),
    bar,
    h('div', { class: 'row' }, status, cancelButton),
    detail,
  );
  const settle = (outcome: UploadOutcome) => {
    cancelButton?.remove();
    status.textContent = words[outcome.status];
    status.className = `status status-${outcome.status}`;
    element.dataset.status = outcome.status;
    replaceChildren(detail, outcome.reason ? h('p', { class: 'reason' }, outcome.reason) : null);
    if (outcome.status !== 'pending') {
      announce(
        outcome.status === 'clean'
          ? `${file.name} passed the checks.`
          : `${file.name} was rejected${outcome.reason ? `: ${outcome.reason}` : '.'}`,
      );
    }
  };
  return {
    element,
    settle,
    ...(cancel ? { signal: cancel.signal } : {}),
    stage(stage) {
      status.textContent = STAGE_WORDS[stage];
      status.className = 'status';
    },
    progress(sent, total) {
      bar.max = total;
      bar.value = sent;
      status.textContent = `Sending... ${formatBytes(sent)} of ${formatBytes(total)}`;
    },
    fail(message) {
      cancelButton?.remove();
      bar.remove();
      status.textContent = 'Not sent';
      status.className = 'status status-failed';
      element.dataset.status = 'failed';
      replaceChildren(detail, h('p', { class: 'reason' }, message));
      announce(`${file.name} was not sent: ${message}`);
    },
    receipt(sent) {
      bar.value = bar.max;
      detail.after(
        h(
          'dl',
          { class: 'receipt', 'aria-label': `Receipt for ${file.name}` },
          h('dt', {}, 'Name'),
          h('dd', {}, file.name),
          h('dt', {}, 'Size'),
          h(
            'dd',
            {},
            file.size < 1024
              ? formatBytes(file.size)
              : `${formatBytes(file.size)} (${file.size.toLocaleString()} bytes)`,
          ),
          h('dt', {}, digestName(sent.digest)),
          h('dd', { class: 'digest' }, sent.digest.hex),
          h('dt', {}, 'Received'),
          h('dd', {}, h('time', { datetime: sent.at.toISOString() }, formatDate(sent.at.toISOString()))),
        ),
      );
    },
  };
}

/** Pick or drop several files; each is checked, hashed, signed, sent with progress and confirmed in turn. */
export function uploadPanel(options: UploadPanelOptions): { element: HTMLElement } {
  const inputId = `${options.id}-input`;
  const hintId = `${options.id}-hint`;
  const input = h('input', {
    type: 'file',
    id: inputId,
    multiple: true,
    class: 'visually-hidden',
    'aria-describedby': hintId,
  });
  const hint = h('p', { id: hintId, class: 'hint' });
  const alert = alertBox();
  const list = h('ul', { class: 'upload-list', 'aria-label': 'Files being sent' });
  const zone = h(
    'div',
    { class: 'dropzone', hidden: Boolean(options.resumeOnly) },
    // Hidden by the stylesheet on a touch screen, where there is nothing to drag from.
    h('p', { class: 'drag-words' }, 'Drag files here, or'),
    h('label', { for: inputId, class: 'button' }, 'Choose files'),
    input,
    hint,
  );
  const describePolicy = () => {
    const policy = options.policy();
    input.accept = acceptAttribute(policy.allowedTypes);
    hint.textContent = `Accepted: ${listOfTypes(policy.allowedTypes)}. Up to ${formatBytes(policy.maxBytes)} each.`;
  };
  describePolicy();
  let queue = Promise.resolve();

  // The owner's list can be tidied; a client's receipts stay on the page.
  const clear = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      hidden: true,
      onclick: () => {
        for (const element of list.querySelectorAll(
          'li[data-status="clean"], li[data-status="rejected"], li[data-status="failed"]',
        )) {
          element.remove();
        }
        clear.hidden = list.childElementCount === 0;
        announce('Finished uploads cleared from this list.');
      },
    },
    'Clear finished',
  );

  // In the background: the next file need not wait for this one's checks.
  const follow = async (item: UploadItem, outcome: UploadOutcome) => {
    try {
      const decided = await followUntilDecided(options.steps.confirm, outcome, CLIENT_PATIENCE_MS);
      if (decided.status !== 'pending') item.settle(decided);
    } catch {
      // Asking again failed (the network, the link revoked meanwhile): the file was received; its receipt stands.
    }
  };

  const words = options.receipts ? CLIENT_STATUS_WORDS : STATUS_WORDS;
  const send = async (file: File, item: ReturnType<typeof uploadItem>, sending: () => ReturnType<typeof sendFile>) => {
    try {
      const { outcome, digest } = await sending();
      const sent = { file, outcome, digest, at: new Date() };
      item.settle(outcome);
      if (options.receipts) item.receipt(sent);
      if (outcome.status === 'pending') announce(`${file.name} was sent and is being checked.`);
      options.onSent?.(sent, item);
      if (options.receipts && outcome.status === 'pending') void follow(item, outcome);
    } catch (error) {
      item.fail((error as Error).message);
      throw error;
    }
  };

  const resumes = h('ul', { class: 'resume-list', 'aria-label': 'Unfinished uploads' });
  const parts = options.steps.parts;
  const offered = new Set<string>();
  const stillStored = (uploadId: string) => parts?.unfinished.list().some((kept) => kept.uploadId === uploadId);
  // After a reload, a closed tab or a failure: each unfinished upload is offered, and resumed with the same file chosen again.
  const offerResume = (unfinished: UnfinishedUpload, heldCount: number, partSteps: PartSteps) => {
    const inputId = `${options.id}-resume-${unfinished.uploadId}`;
    const offerWords = `Resume ${unfinished.fileName} (${heldCount} of ${unfinished.partCount} parts sent)`;
    const picker = h('input', { type: 'file', id: inputId, class: 'visually-hidden' });
    const withdraw = () => {
      offered.delete(unfinished.uploadId);
      offer.remove();
    };
    const offer = h(
      'li',
      { class: 'resume-offer' },
      h(
        'p',
        {},
        `${unfinished.fileName} (${formatBytes(unfinished.size)}) was not finished. Choose the same file again to send the rest.`,
      ),
      h('label', { for: inputId, class: 'button' }, offerWords),
      picker,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: async () => {
            partSteps.unfinished.forget(unfinished.uploadId);
            withdraw();
            await options.steps.abandon?.(unfinished.uploadId).catch(() => undefined);
            announce(`The unfinished upload of ${unfinished.fileName} was given up.`);
          },
        },
        `Give up ${unfinished.fileName}`,
      ),
    );
    picker.addEventListener('change', () => {
      const file = picker.files?.[0];
      picker.value = '';
      if (!file) return;
      alert.clear();
      const item = uploadItem(file, words, true);
      list.prepend(item.element);
      offer.hidden = true;
      queue = queue.then(() =>
        send(file, item, () =>
          resumeFile(file, unfinished, { ...options.steps, parts: partSteps }, item.stage, item.progress, item.signal),
        )
          .catch(() => undefined)
          .then(() => {
            // Kept (a different file was chosen, or the network failed again): offered again; done or forgotten: withdrawn.
            if (stillStored(unfinished.uploadId)) offer.hidden = false;
            else withdraw();
          }),
      );
    });
    resumes.append(offer);
  };
  const offerUnfinished = () => {
    if (!parts) return;
    for (const unfinished of parts.unfinished.list()) {
      if (offered.has(unfinished.uploadId)) continue;
      offered.add(unfinished.uploadId);
      partsHeld(unfinished, parts).then(
        (held) => offerResume(unfinished, held.length, parts),
        // Expired or gone: forgotten, and said; an unreachable API leaves it for the next visit.
        (error) => {
          offered.delete(unfinished.uploadId);
          if (error instanceof ResumeRefused) alert.show(error.message);
        },
      );
    }
  };
  offerUnfinished();

  const accept = (files: File[]) => {
    alert.clear();
    if (files.length === 0) return;
    describePolicy();
    const batchRefusal = options.checkBatch?.(files);
    if (batchRefusal) {
      alert.show(batchRefusal);
      return;
    }
    const items = files.map((file) => uploadItem(file, words, sentInParts(file, options.steps)));
    // Newest batch on top, each batch in the order it was chosen.
    list.prepend(...items.map((item) => item.element));
    clear.hidden = Boolean(options.receipts);
    for (const [index, file] of files.entries()) {
      const item = items[index] as (typeof items)[number];
      const refusal = refusalOf(file, options.policy());
      if (refusal) {
        item.fail(refusal);
        continue;
      }
      queue = queue.then(() =>
        send(file, item, () => sendFile(file, options.steps, item.stage, item.progress, item.signal)).catch(
          // A multipart upload that failed part-way is kept: offer it at once, not only after a reload.
          offerUnfinished,
        ),
      );
    }
    describePolicy();
  };

  input.addEventListener('change', () => {
    accept([...(input.files ?? [])]);
    input.value = '';
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    accept([...(event.dataTransfer?.files ?? [])]);
  });

  return { element: h('div', { class: 'upload-panel' }, resumes, zone, alert.element, list, clear) };
}
