import { limits, MiB, SUPPORTED_TYPES } from '#contracts/limits';
import { LINK_PDF_CHOICES, LINK_PDF_WORDS } from './active-content-words';
import { alertBox, announce, confirmDialog, field, focusOn, h, labelCells, replaceChildren } from './elements';
import { formatBytes, formatDate, listOfTypes, typeName } from './format';
import type { CreatedLink, LinkItem, OwnerApi } from './owner-api';
import { qrImage } from './qr-image';

const EXPIRY_CHOICES = [
  { hours: 1, label: '1 hour' },
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '7 days' },
].filter(({ hours }) => hours >= limits.link.expiresInHours.min && hours <= limits.link.expiresInHours.max);

const LINK_COLUMNS = ['Label', 'State', 'Files left', 'Open until', 'Files', 'Actions'];

const STATE_WORDS: Record<LinkItem['state'], string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
  'used-up': 'Used up',
};

/** Create, copy (with a QR code), list and revoke upload links; jump to the files each brought in. */
export class LinksView {
  readonly element: HTMLElement;
  private items: LinkItem[] = [];
  private readonly alert = alertBox();
  private readonly created = h('div', { class: 'created' });
  private readonly list = h('div', {
    class: 'table-scroll',
    tabindex: 0,
    role: 'region',
    'aria-label': 'Your upload links',
  });

  constructor(
    private readonly api: OwnerApi,
    private readonly onLinks: (links: Map<string, LinkItem>) => void,
    private readonly showFilesOf: (linkId: string) => void,
    /** The operator's owner upload limit (config.json): a link's largest file cannot exceed it. */
    private readonly maxFileBytes: number,
  ) {
    this.element = h(
      'div',
      { class: 'links-view' },
      this.form(),
      this.created,
      h('h3', { id: 'links-list-heading' }, 'Your upload links'),
      this.alert.element,
      this.list,
    );
  }

  private form(): HTMLFormElement {
    const alert = alertBox();
    const label = h('input', { id: 'link-label', required: true, maxlength: limits.link.labelMaxChars });
    const expiry = h(
      'select',
      { id: 'link-expiry' },
      ...EXPIRY_CHOICES.map(({ hours, label: text }) =>
        h('option', { value: hours, selected: hours === limits.link.expiresInHours.default }, text),
      ),
    );
    const uses = h('input', {
      id: 'link-uses',
      type: 'number',
      inputmode: 'numeric',
      min: limits.link.maxUploads.min,
      max: limits.link.maxUploads.max,
      value: limits.link.maxUploads.default,
      required: true,
    });
    const maxMiB = Math.floor(this.maxFileBytes / MiB);
    const size = h('input', {
      id: 'link-size',
      type: 'number',
      inputmode: 'numeric',
      min: 1,
      max: maxMiB,
      value: Math.min(maxMiB, limits.link.defaultMaxBytes / MiB),
      required: true,
    });
    const defaults: readonly string[] = limits.link.defaultAllowedTypes;
    const types = SUPPORTED_TYPES.map((type) =>
      h('input', {
        type: 'checkbox',
        id: `link-type-${type.replace(/\W/g, '-')}`,
        value: type,
        checked: defaults.includes(type),
      }),
    );
    const pdfPolicy = h(
      'select',
      { id: 'link-pdf-active-content' },
      ...LINK_PDF_CHOICES.map(({ value, words }) => h('option', { value }, words)),
    );
    const form = h(
      'form',
      { class: 'card', 'aria-labelledby': 'link-form-heading' },
      h('h3', { id: 'link-form-heading' }, 'New upload link'),
      field('Label (who or what it is for)', label),
      h(
        'div',
        { class: 'field-row' },
        field('Open for', expiry),
        field('Number of files', uses),
        field('Largest file (MB)', size),
      ),
      h(
        'fieldset',
        { class: 'types' },
        h('legend', {}, 'File types allowed'),
        ...types.map((box) => h('label', { class: 'check' }, box, ` ${typeName(box.value)}`)),
      ),
      field('PDFs with scripts or attachments', pdfPolicy, "This link's choice wins over the one in your settings."),
      alert.element,
      h('button', { type: 'submit' }, 'Create link'),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      alert.clear();
      const allowedTypes = types.filter((box) => box.checked).map((box) => box.value);
      if (allowedTypes.length === 0) {
        alert.show('Choose at least one file type.');
        return;
      }
      const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
      button.disabled = true;
      try {
        const link = await this.api.createLink({
          label: label.value.trim(),
          expiresInHours: Number(expiry.value),
          maxUploads: Number(uses.value),
          maxBytes: Math.round(Number(size.value) * MiB),
          allowedTypes,
          ...(pdfPolicy.value === 'allow' || pdfPolicy.value === 'refuse' ? { pdfActiveContent: pdfPolicy.value } : {}),
        });
        this.showCreated(link);
        form.reset();
        await this.reload();
      } catch (error) {
        alert.show((error as Error).message);
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  private showCreated(link: CreatedLink): void {
    const urlInput = h('input', { id: 'created-link-url', readonly: true, value: link.url, class: 'mono' });
    const copied = h('span', { class: 'hint', role: 'status' });
    const heading = h('h3', {}, `Link for ${link.label}`);
    replaceChildren(
      this.created,
      h(
        'div',
        { class: 'card created-link' },
        heading,
        h('p', {}, 'Send this link to your client. It is shown only now: docdrop keeps only a fingerprint of it.'),
        field('Upload link', urlInput),
        h(
          'div',
          { class: 'actions' },
          h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                try {
                  await navigator.clipboard.writeText(link.url);
                  copied.textContent = 'Copied.';
                } catch {
                  urlInput.select();
                  copied.textContent = 'Press Ctrl+C (or Cmd+C) to copy the selected link.';
                }
              },
            },
            'Copy link',
          ),
          copied,
        ),
        qrImage(link.url, `QR code of the upload link for ${link.label}`),
        h(
          'p',
          { class: 'hint' },
          `${link.maxUploads} ${link.maxUploads === 1 ? 'file' : 'files'}, up to ${formatBytes(link.maxBytes)} each (${listOfTypes(link.allowedTypes)}), until ${formatDate(link.expiresAt)}.`,
        ),
      ),
    );
    announce(`Upload link for ${link.label} created.`);
    focusOn(heading);
  }

  async reload(): Promise<void> {
    this.alert.clear();
    try {
      const items: LinkItem[] = [];
      let cursor: string | undefined;
      // Owners have tens of links, not thousands: a few pages at most.
      for (let pages = 0; pages < 10; pages++) {
        const page = await this.api.listLinks(cursor);
        items.push(...page.items);
        cursor = page.cursor;
        if (!cursor) break;
      }
      this.items = items;
      this.onLinks(new Map(items.map((link) => [link.linkId, link])));
    } catch (error) {
      this.alert.show((error as Error).message);
    }
    this.render();
  }

  private render(): void {
    if (this.items.length === 0) {
      replaceChildren(this.list, h('p', { class: 'empty' }, 'No upload links yet.'));
      return;
    }
    replaceChildren(
      this.list,
      h(
        'table',
        { class: 'links' },
        h('caption', { class: 'visually-hidden' }, 'Your upload links'),
        h('thead', {}, h('tr', {}, ...LINK_COLUMNS.map((text) => h('th', { scope: 'col' }, text)))),
        h(
          'tbody',
          {},
          ...this.items.map((link) =>
            labelCells(
              h(
                'tr',
                { 'data-link-id': link.linkId, 'data-state': link.state },
                h(
                  'td',
                  { class: 'name' },
                  link.label,
                  link.pdfActiveContent
                    ? h('span', { class: 'hint link-pdf-policy' }, LINK_PDF_WORDS[link.pdfActiveContent])
                    : null,
                ),
                h('td', {}, h('span', { class: `state state-${link.state}` }, STATE_WORDS[link.state])),
                h('td', {}, `${link.uploadsLeft} of ${link.maxUploads}`),
                h('td', {}, h('time', { datetime: link.expiresAt }, formatDate(link.expiresAt))),
                h(
                  'td',
                  {},
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      'aria-label': `Files sent through ${link.label}`,
                      onclick: () => this.showFilesOf(link.linkId),
                    },
                    'Show files',
                  ),
                ),
                h(
                  'td',
                  { class: 'actions' },
                  link.state === 'active'
                    ? h(
                        'button',
                        {
                          type: 'button',
                          class: 'danger',
                          'aria-label': `Revoke ${link.label}`,
                          onclick: () => void this.revoke(link),
                        },
                        'Revoke',
                      )
                    : null,
                ),
              ),
              LINK_COLUMNS,
            ),
          ),
        ),
      ),
    );
  }

  private async revoke(link: LinkItem): Promise<void> {
    if (
      !(await confirmDialog(
        `Revoke the link for ${link.label}? Nobody can send files through it afterwards.`,
        'Revoke',
      ))
    )
      return;
    try {
      await this.api.revokeLink(link.linkId);
      announce(`The link for ${link.label} was revoked.`);
      await this.reload();
      focusOn(this.element.querySelector('#links-list-heading') as HTMLElement);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }
}
