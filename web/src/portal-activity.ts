import { actionWords, actorWords, outcomeWords } from './audit-words';
import { alertBox, announce, h, labelCells, replaceChildren } from './elements';
import type { AuditItem } from './owner-api';
import type { WatchedOwnerApi } from './watched-owner-api';

const PAGE_SIZE = 20;
/**
 * Every preview shown is an access to the content and is recorded, but a portal load shows many:
 * hidden by default, so uploads, downloads and link events stay in view. A page of the view is
 * filled from up to this many pages of the trail.
 */
const PREVIEW_ACTION = 'file.thumbnail';
const MAX_PAGES_PER_LOAD = 10;
const COLUMNS = ['Time', 'Action', 'Object', 'By', 'Outcome', 'Source address'];

/** The `sub` claim of the session's ID token, to tell the owner's own actions from others'. */
function subjectOf(idToken: string): string | undefined {
  try {
    const payload = idToken.split('.')[1] ?? '';
    return (JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: string }).sub;
  } catch {
    return undefined;
  }
}

const formatTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The owner's audit trail, newest first, a page at a time ("Load more" follows the API's cursor). */
export class ActivityView {
  readonly element: HTMLElement;
  private entries: AuditItem[] = [];
  private cursor: string | undefined;
  private ownUserId: string | undefined;
  /** Bumped by every reload, so a page that answers after a newer reload began is dropped. */
  private generation = 0;
  private readonly alert = alertBox();
  private readonly body = h('tbody', {});
  private readonly summary = h('p', { class: 'hint', 'aria-live': 'polite' });
  private readonly region = h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Your activity' },
    h(
      'table',
      { class: 'activity' },
      h('caption', { class: 'visually-hidden' }, 'Your activity, newest first'),
      h('thead', {}, h('tr', {}, ...COLUMNS.map((label) => h('th', { scope: 'col' }, label)))),
      this.body,
    ),
  );
  private readonly previews = h('input', {
    type: 'checkbox',
    id: 'activity-previews',
    onchange: () => this.render(),
  });
  private readonly more = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, onclick: () => void this.loadMore() },
    'Load more',
  );

  constructor(
    private readonly api: WatchedOwnerApi,
    private readonly idToken: () => Promise<string>,
  ) {
    this.element = h(
      'div',
      { class: 'activity-view' },
      h(
        'div',
        { class: 'toolbar' },
        h('p', { class: 'hint' }, 'Everything done with your files and upload links, newest first.'),
        h('label', { class: 'check', for: 'activity-previews' }, this.previews, ' Include previews'),
        h('button', { type: 'button', class: 'secondary', onclick: () => void this.reload() }, 'Refresh'),
      ),
      this.alert.element,
      this.summary,
      this.region,
      this.more,
    );
  }

  /** Reads the newest page again (the trail grows with every action). */
  async reload(): Promise<void> {
    this.generation++;
    this.entries = [];
    this.cursor = undefined;
    this.ownUserId ??= subjectOf(await this.idToken().catch(() => ''));
    await this.loadMore(false);
  }

  private async loadMore(announceIt = true): Promise<void> {
    const generation = this.generation;
    this.alert.clear();
    this.more.disabled = true;
    const before = this.visible().length;
    try {
      // Previews hidden, a page of the trail may hold few other entries: read on until one page of the view is full.
      for (let pages = 0; pages < MAX_PAGES_PER_LOAD; pages++) {
        const page = await this.api.listAudit(this.cursor, PAGE_SIZE);
        if (generation !== this.generation) return;
        this.entries.push(...page.items);
        this.cursor = page.cursor;
        if (!this.cursor || this.visible().length - before >= PAGE_SIZE) break;
      }
    } catch (error) {
      if (generation !== this.generation) return;
      this.alert.show((error as Error).message);
    } finally {
      this.more.disabled = false;
    }
    this.render();
    const added = this.visible().length - before;
    if (announceIt) announce(`${added} older ${added === 1 ? 'entry' : 'entries'} shown.`);
    // The button disappears with the last page: keep keyboard focus inside the view.
    if (this.more.hidden && document.activeElement === document.body) this.region.focus();
  }

  private visible(): AuditItem[] {
    return this.previews.checked ? this.entries : this.entries.filter((entry) => entry.action !== PREVIEW_ACTION);
  }

  private render(): void {
    const visible = this.visible();
    replaceChildren(
      this.body,
      ...(visible.length > 0
        ? visible.map((entry) => this.row(entry))
        : [h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'empty' }, 'Nothing has happened yet.'))]),
    );
    const count = visible.length;
    const hidden = this.entries.length - count;
    this.summary.textContent = `${count} ${count === 1 ? 'entry' : 'entries'} shown${hidden > 0 ? ` (${hidden} ${hidden === 1 ? 'preview' : 'previews'} left out)` : ''}${this.cursor ? '; older entries not loaded yet' : ''}.`;
    this.more.hidden = !this.cursor;
  }

  private row(entry: AuditItem): HTMLTableRowElement {
    const nameOf = (id: string) => this.api.nameOf(id);
    const object = nameOf(entry.objectId);
    return labelCells(
      h(
        'tr',
        { 'data-event-id': entry.eventId },
        h('td', {}, h('time', { datetime: entry.at }, formatTime(entry.at))),
        h('td', {}, actionWords(entry.action)),
        h('td', { class: 'name' }, object ?? h('span', { class: 'object-id' }, entry.objectId)),
        h('td', {}, actorWords(entry.actor, this.ownUserId, nameOf)),
        h('td', {}, outcomeWords(entry.outcome)),
        h('td', {}, entry.sourceIp ?? 'Not recorded'),
      ),
      COLUMNS,
    );
  }
}
