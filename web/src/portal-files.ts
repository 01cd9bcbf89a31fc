import { isImageType, limits } from '#contracts/limits';
import { activeContentBadges } from './active-content-words';
import { ApiError } from './api-client';
import {
  actionButton,
  alertBox,
  announce,
  confirmDialog,
  h,
  labelCells,
  replaceChildren,
  saveFromSignedUrl,
} from './elements';
import { formatBytes, formatDate, typeName } from './format';
import type { FileItem, LinkItem, OwnerApi } from './owner-api';
import { renameOrMoveDialog } from './portal-folders';
import { shareDialog } from './share-dialog';
import type { UploadItem } from './upload-panel';
import { STATUS_WORDS } from './upload-panel';

type SortKey = 'createdAt' | 'name' | 'size';
const COLUMNS: { key: SortKey | undefined; label: string }[] = [
  { key: undefined, label: 'Preview' },
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size' },
  { key: undefined, label: 'Type' },
  { key: undefined, label: 'Status' },
  { key: 'createdAt', label: 'Date' },
  { key: undefined, label: 'Source' },
  { key: undefined, label: 'Actions' },
];

/** Polling for pending files starts fast (the validator usually takes well under a second) and backs off. */
const POLL_FIRST_MS = 800;
const POLL_MAX_MS = 10_000;
const PAGE_SIZE = 25;
/** Filtering by link pulls in older pages until it has them all, up to this many. */
const MAX_PAGES_FOR_FILTER = 20;

type FilesLayout = 'list' | 'grid';
/** The list or the gallery, remembered per browser: a display preference, not a secret (tokens never go to localStorage). */
const LAYOUT_KEY = 'docdrop.filesLayout';
function storedLayout(): FilesLayout {
  try {
    return localStorage.getItem(LAYOUT_KEY) === 'grid' ? 'grid' : 'list';
  } catch {
    return 'list';
  }
}

/** What a file without a preview shows in the gallery: its kind in a word or two. */
const ICON_WORDS: Record<string, string> = {
  'application/pdf': 'PDF',
  'text/plain': 'TXT',
};
const iconWords = (type: string) => ICON_WORDS[type] ?? (isImageType(type) ? 'IMG' : 'FILE');

/**
 * A pending file whose upload URL has long expired will never arrive (its record goes with
 * TTL): it is shown as such and not polled for.
 */
const ARRIVAL_WINDOW_MS = (limits.uploadUrlSeconds + 60) * 1000;
const isAwaited = (file: FileItem): boolean =>
  file.status === 'pending' && Date.now() - Date.parse(file.createdAt) < ARRIVAL_WINDOW_MS;

/**
 * The owner's files: sortable, paged with the API's cursor, filterable by where they came
 * from; download, rename or move, share, delete, image previews, and live status while files
 * are checked. It shows one folder at a time (the top level first; `openFolder`).
 */
export class FilesView {
  readonly element: HTMLElement;
  /** The folders a file here may move to (set by the folder navigator). */
  moveTargets: () => { folderId: string; name: string }[] = () => [];
  private folder = 'root';
  private readonly files = new Map<string, FileItem>();
  private readonly watched = new Map<string, UploadItem>();
  private readonly thumbs = new Map<string, { url: string; until: number }>();
  private links = new Map<string, LinkItem>();
  private cursor: string | undefined;
  private sort: { key: SortKey; descending: boolean } = { key: 'createdAt', descending: true };
  private source = 'all';
  private pollDelay = POLL_FIRST_MS;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly alert = alertBox();
  private readonly table = h('table', { class: 'files' });
  private readonly tableRegion = h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Your files' },
    this.table,
  );
  private readonly gallery = h('ul', { class: 'gallery', 'aria-label': 'Your files', hidden: true });
  private layout: FilesLayout = storedLayout();
  private readonly layoutButtons = {
    list: h('button', { type: 'button', class: 'secondary', onclick: () => this.setLayout('list') }, 'List'),
    grid: h('button', { type: 'button', class: 'secondary', onclick: () => this.setLayout('grid') }, 'Gallery'),
  };
  private readonly sourceSelect = h('select', { id: 'files-source' });
  private readonly summary = h('p', { class: 'hint' });
  /** Held files released in this session: pending again, however old, until they settle. */
  private readonly releasedHolds = new Set<string>();
  private readonly more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Show older files');

  constructor(private readonly api: OwnerApi) {
    this.sourceSelect.addEventListener('change', () => void this.filterBy(this.sourceSelect.value));
    this.more.addEventListener('click', () => void this.loadMore());
    this.element = h(
      'div',
      { class: 'files-view' },
      h(
        'div',
        { class: 'toolbar' },
        h('label', { for: 'files-source' }, 'Show files from'),
        this.sourceSelect,
        h('button', { type: 'button', class: 'secondary', onclick: () => void this.reload() }, 'Refresh'),
        h(
          'div',
          { class: 'layout-switch', role: 'group', 'aria-label': 'Show files as' },
          this.layoutButtons.list,
          this.layoutButtons.grid,
        ),
      ),
      this.alert.element,
      this.summary,
      this.tableRegion,
      this.gallery,
      this.more,
    );
    this.renderSources();
    this.showLayout();
  }

  private setLayout(layout: FilesLayout): void {
    this.layout = layout;
    try {
      localStorage.setItem(LAYOUT_KEY, layout);
    } catch {
      // Storage refused (a private window's quota): the choice lasts for this page only.
    }
    this.showLayout();
    this.render();
    announce(layout === 'grid' ? 'Files shown as a gallery.' : 'Files shown as a list.');
  }

  private showLayout(): void {
    this.tableRegion.hidden = this.layout !== 'list';
    this.gallery.hidden = this.layout !== 'grid';
    this.layoutButtons.list.setAttribute('aria-pressed', String(this.layout === 'list'));
    this.layoutButtons.grid.setAttribute('aria-pressed', String(this.layout === 'grid'));
  }

  /** The list or the gallery, whichever is shown: where focus goes when a file's controls disappear. */
  private get shown(): HTMLElement {
    return this.layout === 'grid' ? this.gallery : this.table;
  }

  /** Stops following pending files (the session ended). */
  stop(): void {
    clearTimeout(this.pollTimer);
    this.watched.clear();
    this.files.clear();
  }

  setLinks(links: Map<string, LinkItem>): void {
    this.links = links;
    this.renderSources();
    this.render();
  }

  get currentFolder(): string {
    return this.folder;
  }

  async openFolder(folderId: string): Promise<void> {
    this.folder = folderId;
    await this.reload();
  }

  async reload(): Promise<void> {
    this.files.clear();
    this.cursor = undefined;
    await this.loadMore();
  }

  /** Shows only the files that came in through one link (or `all`, or `own`). */
  async filterBy(source: string): Promise<void> {
    this.source = source;
    this.sourceSelect.value = source;
    if (source !== 'all') {
      for (let pages = 0; this.cursor && pages < MAX_PAGES_FOR_FILTER; pages++) {
        if (!(await this.loadMore(false))) break;
      }
    }
    this.render();
  }

  /** A file the upload panel just sent: its row appears at once, and a pending one is followed through the checks. */
  track(fileId: string, item: UploadItem, pending: boolean): void {
    if (pending) this.watched.set(fileId, item);
    void this.poll(false);
  }

  private async loadMore(render = true): Promise<boolean> {
    this.alert.clear();
    let loaded = false;
    try {
      const folder = this.folder;
      const page = await this.api.listFiles(this.cursor, PAGE_SIZE, folder);
      // Another folder was opened meanwhile: this page belongs to the one left.
      if (folder !== this.folder) return false;
      for (const file of page.items) this.files.set(file.fileId, file);
      this.cursor = page.cursor;
      loaded = true;
    } catch (error) {
      this.alert.show((error as Error).message);
    }
    if (render) this.render();
    this.watch();
    return loaded;
  }

  private watch(): void {
    if (this.pollTimer !== undefined) return;
    const pending = [...this.files.values()].some((file) => this.awaited(file)) || this.watched.size > 0;
    if (!pending) {
      this.pollDelay = POLL_FIRST_MS;
      return;
    }
    this.pollTimer = setTimeout(() => void this.poll(true), this.pollDelay);
    this.pollDelay = Math.min(POLL_MAX_MS, this.pollDelay * 1.6);
  }

  /** Re-reads the newest page and moves rows whose status changed; announces what settled. */
  private async poll(scheduled: boolean): Promise<void> {
    if (scheduled) this.pollTimer = undefined;
    let page: { items: FileItem[] };
    const folder = this.folder;
    try {
      page = await this.api.listFiles(undefined, 50, folder);
    } catch {
      this.watch();
      return;
    }
    if (folder !== this.folder) {
      this.watch();
      return;
    }
    for (const file of page.items) {
      const before = this.files.get(file.fileId);
      this.files.set(file.fileId, file);
      const item = this.watched.get(file.fileId);
      if (item && file.status !== 'pending') {
        item.settle({ uploadId: file.fileId, status: file.status, ...(file.reason ? { reason: file.reason } : {}) });
        this.watched.delete(file.fileId);
      } else if (!item && before?.status === 'pending' && file.status !== 'pending') {
        announce(`${file.name}: ${STATUS_WORDS[file.status].toLowerCase()}.`);
      }
    }
    this.render();
    this.watch();
  }

  private visible(): FileItem[] {
    const { key, descending } = this.sort;
    const files = [...this.files.values()].filter((file) =>
      this.source === 'all' ? true : this.source === 'own' ? !file.linkId : file.linkId === this.source,
    );
    files.sort((a, b) => {
      const order =
        key === 'name'
          ? a.name.localeCompare(b.name)
          : key === 'size'
            ? a.size - b.size
            : a.createdAt.localeCompare(b.createdAt);
      return descending ? -order : order;
    });
    return files;
  }

  private renderSources(): void {
    replaceChildren(
      this.sourceSelect,
      h('option', { value: 'all' }, 'All sources'),
      h('option', { value: 'own' }, 'Uploaded by you'),
      ...[...this.links.values()].map((link) => h('option', { value: link.linkId }, `Link: ${link.label}`)),
    );
    this.sourceSelect.value = this.source;
  }

  private render(): void {
    // Keep keyboard focus on the same control across a re-render (polling redraws rows).
    const focusKey = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
    const files = this.visible();
    const head = h(
      'tr',
      {},
      ...COLUMNS.map(({ key, label }) => {
        if (!key) return h('th', { scope: 'col' }, label);
        const active = this.sort.key === key;
        return h(
          'th',
          { scope: 'col', 'aria-sort': active ? (this.sort.descending ? 'descending' : 'ascending') : 'none' },
          h(
            'button',
            {
              type: 'button',
              class: 'sort',
              'data-focus-key': `sort-${key}`,
              onclick: () => {
                this.sort = { key, descending: active ? !this.sort.descending : key !== 'name' };
                this.render();
                announce(`Sorted by ${label.toLowerCase()}, ${this.sort.descending ? 'descending' : 'ascending'}.`);
              },
            },
            label,
            h('span', { 'aria-hidden': 'true' }, active ? (this.sort.descending ? ' ▼' : ' ▲') : ''),
          ),
        );
      }),
    );
    replaceChildren(
      this.table,
      h('caption', { class: 'visually-hidden' }, 'Files in this folder'),
      h('thead', {}, head),
      h(
        'tbody',
        {},
        // Only the layout shown is built: each preview built signs (and records) a thumbnail URL.
        ...(this.layout !== 'list'
          ? []
          : files.length > 0
            ? files.map((file) => this.row(file))
            : [h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, 'No files here yet.'))]),
      ),
    );
    replaceChildren(
      this.gallery,
      ...(this.layout === 'grid'
        ? files.length > 0
          ? files.map((file) => this.card(file))
          : [h('li', { class: 'empty' }, 'No files here yet.')]
        : []),
    );
    this.summary.textContent = `${files.length} ${files.length === 1 ? 'file' : 'files'} shown${this.cursor ? '; older files not loaded yet' : ''}.`;
    this.more.hidden = !this.cursor;
    if (focusKey) (this.shown.querySelector(`[data-focus-key="${focusKey}"]`) as HTMLElement | null)?.focus();
  }

  private row(file: FileItem): HTMLTableRowElement {
    const link = file.linkId ? this.links.get(file.linkId) : undefined;
    const source = file.linkId ? `Link: ${link?.label ?? 'upload link'}` : 'You';
    const row = h(
      'tr',
      { 'data-file-id': file.fileId, 'data-status': file.status },
      h('td', { class: 'preview' }, this.preview(file)),
      h('td', { class: 'name' }, file.name),
      h('td', { class: 'size' }, formatBytes(file.size)),
      h('td', {}, typeName(file.contentType)),
      h('td', { class: 'status-cell' }, this.status(file)),
      h('td', { class: 'date' }, h('time', { datetime: file.createdAt }, formatDate(file.createdAt))),
      h('td', {}, source),
      h('td', {}, this.actions(file)),
    );
    return labelCells(
      row,
      COLUMNS.map(({ label }) => label),
    );
  }

  /** One file in the gallery: its preview (or its kind), name, size, date, status and actions. */
  private card(file: FileItem): HTMLLIElement {
    const link = file.linkId ? this.links.get(file.linkId) : undefined;
    return h(
      'li',
      { class: 'gallery-item', 'data-file-id': file.fileId, 'data-status': file.status },
      h(
        'div',
        { class: 'gallery-preview' },
        this.preview(file) ?? h('span', { class: 'file-icon', 'aria-hidden': 'true' }, iconWords(file.contentType)),
      ),
      h('p', { class: 'name' }, file.name),
      h(
        'p',
        { class: 'hint' },
        `${typeName(file.contentType)}, ${formatBytes(file.size)}, `,
        h('time', { datetime: file.createdAt }, formatDate(file.createdAt)),
        file.linkId ? `, link: ${link?.label ?? 'upload link'}` : '',
      ),
      file.status === 'clean' ? activeContentBadges(file.activeContent) : this.status(file),
      this.actions(file),
    );
  }

  /** Pending and still coming: within its upload's time, or a held file its owner just released. */
  private awaited(file: FileItem): boolean {
    return isAwaited(file) || (file.status === 'pending' && this.releasedHolds.has(file.fileId));
  }

  private status(file: FileItem): HTMLElement {
    return h(
      'div',
      {},
      file.status === 'pending' && !this.awaited(file)
        ? h('span', { class: 'status status-failed' }, 'Never arrived')
        : h('span', { class: `status status-${file.status}` }, STATUS_WORDS[file.status]),
      file.reason ? h('p', { class: 'reason' }, file.reason) : null,
      activeContentBadges(file.activeContent),
    );
  }

  private actions(file: FileItem): HTMLElement {
    return h(
      'div',
      { class: 'actions' },
      ...(file.status === 'clean'
        ? [
            actionButton('Download', file.name, () => void this.download(file), {
              focusKey: `download-${file.fileId}`,
            }),
            // "Edit" (it renames and moves): a control named with "name" would also answer to the Name sort button.
            actionButton('Edit', file.name, () => void this.rename(file), { focusKey: `rename-${file.fileId}` }),
            actionButton('Share', file.name, () => void shareDialog(this.api, { fileId: file.fileId }, file.name)),
          ]
        : []),
      // A held file waits for its owner: released at their risk, or discarded.
      ...(file.status === 'held'
        ? [actionButton('Release', file.name, () => void this.release(file), { focusKey: `release-${file.fileId}` })]
        : []),
      actionButton(file.status === 'held' ? 'Discard' : 'Delete', file.name, () => void this.remove(file), {
        danger: true,
        focusKey: `delete-${file.fileId}`,
      }),
    );
  }

  private async release(file: FileItem): Promise<void> {
    const question = `Release ${file.name}? The malware scan could not check it, so it may be harmful: release it only if you trust its sender. It is then checked as any upload and delivered if it passes.`;
    if (!(await confirmDialog(question, 'Release'))) return;
    this.alert.clear();
    try {
      const pending = await this.api.releaseHeldFile(file.fileId);
      this.releasedHolds.add(file.fileId);
      this.files.set(file.fileId, pending);
      this.render();
      this.watch();
      announce(`${file.name} was released and is being checked.`);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private preview(file: FileItem): HTMLElement | null {
    if (file.status !== 'clean' || !isImageType(file.contentType)) return null;
    const image = h('img', { alt: '', width: 48, height: 48, loading: 'lazy', decoding: 'async' });
    const cached = this.thumbs.get(file.fileId);
    if (cached && cached.until > Date.now()) image.src = cached.url;
    else {
      this.api
        .thumbnail(file.fileId)
        .then(({ url, expiresAt }) => {
          // Signed for 5 minutes; reuse it for 4 so the browser cache serves re-renders.
          this.thumbs.set(file.fileId, { url, until: Math.min(Date.parse(expiresAt), Date.now() + 4 * 60_000) });
          image.src = url;
        })
        .catch(() => image.remove());
    }
    return image;
  }

  private async download(file: FileItem): Promise<void> {
    this.alert.clear();
    try {
      const { url } = await this.api.download(file.fileId);
      saveFromSignedUrl(url);
      announce(`Downloading ${file.name}.`);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }

  private async rename(file: FileItem): Promise<void> {
    const updated = await renameOrMoveDialog(this.api, file, this.moveTargets());
    if (!updated) return;
    if (updated.folderId === this.folder) this.files.set(updated.fileId, updated);
    else this.files.delete(updated.fileId);
    this.render();
    announce(
      updated.folderId === this.folder ? `Renamed to ${updated.name}.` : `${updated.name} was moved to another folder.`,
    );
    // A moved file's row (and the button that opened the dialog) is gone: keep focus in the list.
    if (!document.activeElement || document.activeElement === document.body) {
      (this.shown.querySelector('button') as HTMLElement | null)?.focus();
    }
  }

  private async remove(file: FileItem): Promise<void> {
    const held = file.status === 'held';
    const verb = held ? 'Discard' : 'Delete';
    if (!(await confirmDialog(`${verb} ${file.name}? This cannot be undone.`, verb))) return;
    this.alert.clear();
    try {
      await this.api.deleteFile(file.fileId);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) {
        this.alert.show((error as Error).message);
        return;
      }
    }
    this.files.delete(file.fileId);
    this.render();
    announce(`${file.name} was ${held ? 'discarded' : 'deleted'}.`);
    (this.shown.querySelector('button') as HTMLElement | null)?.focus();
  }
}
