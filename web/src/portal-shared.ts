import { alertBox, announce, focusOn, h, replaceChildren } from './elements';
import { formatBytes, formatDate } from './format';
import type { FileItem, FolderItem, OwnerApi, SharedItem } from './owner-api';

const ROLE_WORDS = { view: 'Can view', edit: 'Can edit' } as const;

/**
 * What others shared with the owner (`GET /api/shared-with-me`): shared files download here;
 * a shared folder opens to its files (`GET /api/files?folder=`), which download the same way.
 */
export class SharedWithMeView {
  readonly element: HTMLElement;
  private readonly alert = alertBox();
  private readonly list = h('ul', { class: 'shared-list', 'aria-label': 'Shared with you' });
  private readonly folderHeading = h('h3', {});
  private readonly folderFiles = h('ul', { class: 'shared-files' });
  private readonly folderPart = h('section', { hidden: true }, this.folderHeading, this.folderFiles);

  constructor(private readonly api: OwnerApi) {
    this.element = h(
      'div',
      { class: 'shared-view' },
      h('button', { type: 'button', class: 'secondary', onclick: () => void this.reload() }, 'Refresh'),
      this.alert.element,
      this.list,
      this.folderPart,
    );
  }

  async reload(): Promise<void> {
    this.alert.clear();
    let items: SharedItem[];
    try {
      items = (await this.api.sharedWithMe()).items;
    } catch (error) {
      this.alert.show((error as Error).message);
      return;
    }
    replaceChildren(
      this.list,
      ...(items.length > 0
        ? items.map((item) => this.entry(item))
        : [h('li', { class: 'empty' }, 'Nothing is shared with you yet.')]),
    );
  }

  private entry(item: SharedItem): HTMLLIElement {
    const words = `${ROLE_WORDS[item.role]}, shared ${formatDate(item.sharedAt)}`;
    if (item.kind === 'folder' && item.folder) {
      const folder = item.folder;
      return h(
        'li',
        { 'data-share-id': item.shareId },
        h('button', { type: 'button', class: 'folder', onclick: () => void this.openFolder(folder) }, folder.name),
        h('span', { class: 'hint' }, ` Folder. ${words}.`),
      );
    }
    const file = item.file as FileItem;
    return h('li', { 'data-share-id': item.shareId }, this.fileLine(file), h('span', { class: 'hint' }, ` ${words}.`));
  }

  private fileLine(file: FileItem): HTMLElement {
    return h(
      'span',
      {},
      h('span', { class: 'name' }, file.name),
      ` (${formatBytes(file.size)}) `,
      file.status === 'clean'
        ? h(
            'button',
            {
              type: 'button',
              class: 'secondary',
              'aria-label': `Download ${file.name}`,
              onclick: () => void this.download(file),
            },
            'Download',
          )
        : null,
    );
  }

  private async openFolder(folder: FolderItem): Promise<void> {
    this.alert.clear();
    let files: FileItem[];
    try {
      files = (await this.api.listFiles(undefined, 100, folder.folderId)).items;
    } catch (error) {
      this.alert.show((error as Error).message);
      return;
    }
    this.folderHeading.textContent = `Files in ${folder.name}`;
    replaceChildren(
      this.folderFiles,
      ...(files.length > 0
        ? files.map((file) => h('li', {}, this.fileLine(file)))
        : [h('li', { class: 'empty' }, 'No files in this folder.')]),
    );
    this.folderPart.hidden = false;
    focusOn(this.folderHeading);
    announce(`${files.length} ${files.length === 1 ? 'file' : 'files'} in ${folder.name}.`);
  }

  private async download(file: FileItem): Promise<void> {
    this.alert.clear();
    try {
      const { url } = await this.api.download(file.fileId);
      const anchor = h('a', { href: url, rel: 'noopener', class: 'visually-hidden' });
      document.body.appendChild(anchor);
      anchor.click();
      anchor.remove();
      announce(`Downloading ${file.name}.`);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }
}
