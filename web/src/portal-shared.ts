import { alertBox, announce, focusOn, h, replaceChildren, saveFromSignedUrl } from './elements';
import { formatBytes, formatDate } from './format';
import type { FileItem, FolderItem, OwnerApi, SharedItem, ShareItem } from './owner-api';

const ROLE_WORDS = { view: 'Can view', edit: 'Can edit' } as const;

/**
 * What others shared with the owner (`GET /api/shared-with-me`): shared files download here;
 * a shared folder opens to its files (`GET /api/files?folder=`), which download the same way.
 * Below, what the owner shared (`GET /api/shares`), each with Revoke (`DELETE /api/shares/{id}`).
 */
export class SharedWithMeView {
  readonly element: HTMLElement;
  private readonly alert = alertBox();
  private readonly list = h('ul', { class: 'shared-list', 'aria-label': 'Shared with you' });
  private readonly folderHeading = h('h3', {});
  private readonly folderFiles = h('ul', { class: 'shared-files' });
  private readonly folderPart = h('section', { hidden: true }, this.folderHeading, this.folderFiles);
  private readonly mineHeading = h('h3', { id: 'shared-by-you-heading' }, 'What you shared');
  private readonly mine = h('ul', { class: 'shared-list', 'aria-labelledby': 'shared-by-you-heading' });

  constructor(private readonly api: OwnerApi) {
    this.element = h(
      'div',
      { class: 'shared-view' },
      h('button', { type: 'button', class: 'secondary', onclick: () => void this.reload() }, 'Refresh'),
      this.alert.element,
      this.list,
      this.folderPart,
      this.mineHeading,
      this.mine,
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
    await this.reloadMine();
  }

  private async reloadMine(): Promise<void> {
    let shares: ShareItem[];
    try {
      shares = (await this.api.listShares()).items;
    } catch (error) {
      this.alert.show((error as Error).message);
      return;
    }
    replaceChildren(
      this.mine,
      ...(shares.length > 0
        ? shares.map((share) => this.myShare(share))
        : [h('li', { class: 'empty' }, 'You have not shared anything.')]),
    );
  }

  private myShare(share: ShareItem): HTMLLIElement {
    const what = share.targetKind === 'folder' ? 'Folder' : 'File';
    const revoke = async () => {
      this.alert.clear();
      try {
        await this.api.revokeShare(share.shareId);
      } catch (error) {
        this.alert.show((error as Error).message);
        return;
      }
      announce(`${share.granteeEmail} can no longer open ${share.name}.`);
      await this.reloadMine();
      focusOn(this.mineHeading);
    };
    return h(
      'li',
      { 'data-share-id': share.shareId },
      h('span', { class: 'name' }, share.name),
      h('span', { class: 'hint' }, ` ${what}, with ${share.granteeEmail}: ${ROLE_WORDS[share.role].toLowerCase()}. `),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          'aria-label': `Stop sharing ${share.name} with ${share.granteeEmail}`,
          onclick: () => void revoke(),
        },
        'Revoke',
      ),
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
      saveFromSignedUrl(url);
      announce(`Downloading ${file.name}.`);
    } catch (error) {
      this.alert.show((error as Error).message);
    }
  }
}
