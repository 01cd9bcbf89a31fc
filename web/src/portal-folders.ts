import { ApiError } from './api-client';
import { actionButton, alertBox, announce, confirmDialog, field, h, replaceChildren } from './elements';
import { formDialog } from './form-dialog';
import type { FileItem, FolderItem, OwnerApi } from './owner-api';
import { shareDialog } from './share-dialog';

// Not "Your files": that is the heading just above the path.
const TOP_LEVEL = { folderId: 'root', name: 'Top level' };

/**
 * Where the Files view is in the owner's folders: a breadcrumb (top level first), the
 * subfolders of the current folder (each opens with a click or Enter, and can be shared) and
 * "New folder". `onOpen` lets the file list follow.
 */
export class FolderNavigator {
  readonly element: HTMLElement;
  private path: { folderId: string; name: string }[] = [TOP_LEVEL];
  private subfolders: FolderItem[] = [];
  private readonly alert = alertBox();
  private readonly crumbs = h('ol', { class: 'breadcrumb' });
  private readonly list = h('ul', { class: 'folders', 'aria-label': 'Folders here' });

  constructor(
    private readonly api: OwnerApi,
    private readonly onOpen: (folderId: string) => void,
  ) {
    this.element = h(
      'div',
      { class: 'folder-navigator' },
      h('nav', { 'aria-label': 'Folder path' }, this.crumbs),
      h(
        'div',
        { class: 'toolbar' },
        h('button', { type: 'button', class: 'secondary', onclick: () => void this.newFolder() }, 'New folder'),
      ),
      this.alert.element,
      this.list,
    );
    this.render();
  }

  get current(): string {
    return (this.path.at(-1) ?? TOP_LEVEL).folderId;
  }

  /** The folders a file here can move to: the top level, the one above, and the subfolders. */
  destinations(): { folderId: string; name: string }[] {
    const above = this.path.length > 1 ? [this.path.at(-2) as { folderId: string; name: string }] : [];
    const choices = [{ folderId: 'root', name: 'Top level' }, ...above, ...this.subfolders];
    return choices.filter(
      (choice, index) =>
        choice.folderId !== this.current && choices.findIndex((other) => other.folderId === choice.folderId) === index,
    );
  }

  async reload(): Promise<void> {
    this.alert.clear();
    try {
      this.subfolders = (await this.api.listFolders(this.current)).items;
    } catch (error) {
      this.alert.show((error as Error).message);
    }
    this.render();
  }

  private async open(index: number | FolderItem): Promise<void> {
    if (typeof index === 'number') this.path = this.path.slice(0, index + 1);
    else this.path = [...this.path, { folderId: index.folderId, name: index.name }];
    this.onOpen(this.current);
    await this.reload();
    announce(`Opened ${(this.path.at(-1) ?? TOP_LEVEL).name}.`);
    (this.crumbs.querySelector('[aria-current="page"]') as HTMLElement | null)?.focus();
  }

  private async newFolder(): Promise<void> {
    const name = h('input', { id: 'new-folder-name', required: true, maxlength: 255, autocomplete: 'off' });
    const created = await formDialog({
      title: 'New folder',
      fields: [field('Folder name', name)],
      submitLabel: 'Create',
      submit: async () => {
        try {
          await this.api.createFolder(name.value.trim(), this.current);
          return undefined;
        } catch (error) {
          if (error instanceof ApiError && error.status < 500) return error.message;
          throw error;
        }
      },
    });
    if (!created) return;
    await this.reload();
    announce(`Folder ${name.value.trim()} created.`);
  }

  private async renameFolder(folder: FolderItem): Promise<void> {
    const name = h('input', { id: 'rename-folder-name', required: true, maxlength: 255, value: folder.name });
    const renamed = await formDialog({
      title: `Rename ${folder.name}`,
      fields: [field('Folder name', name)],
      submitLabel: 'Save',
      submit: async () => {
        try {
          await this.api.renameFolder(folder.folderId, name.value.trim());
          return undefined;
        } catch (error) {
          if (error instanceof ApiError && error.status < 500) return error.message;
          throw error;
        }
      },
    });
    if (!renamed) return;
    await this.reload();
    announce(`Folder renamed to ${name.value.trim()}.`);
  }

  private async deleteFolder(folder: FolderItem): Promise<void> {
    this.alert.clear();
    if (!(await confirmDialog(`Delete the folder ${folder.name}? Only an empty folder can be deleted.`, 'Delete'))) {
      return;
    }
    try {
      await this.api.deleteFolder(folder.folderId);
    } catch (error) {
      // 409 folder_not_empty says so in the API's own words.
      this.alert.show((error as Error).message);
      return;
    }
    await this.reload();
    announce(`Folder ${folder.name} deleted.`);
  }

  private render(): void {
    replaceChildren(
      this.crumbs,
      ...this.path.map((step, index) =>
        h(
          'li',
          {},
          index === this.path.length - 1
            ? h('span', { 'aria-current': 'page', tabindex: -1 }, step.name)
            : h('button', { type: 'button', class: 'link', onclick: () => void this.open(index) }, step.name),
        ),
      ),
    );
    replaceChildren(
      this.list,
      ...this.subfolders.map((folder) =>
        h(
          'li',
          { 'data-folder-id': folder.folderId },
          h('button', { type: 'button', class: 'folder', onclick: () => void this.open(folder) }, folder.name),
          actionButton(
            'Share',
            folder.name,
            () => void shareDialog(this.api, { folderId: folder.folderId }, folder.name),
          ),
          actionButton('Rename', folder.name, () => void this.renameFolder(folder)),
          actionButton('Delete', folder.name, () => void this.deleteFolder(folder), { danger: true }),
        ),
      ),
    );
    this.list.hidden = this.subfolders.length === 0;
  }
}

/** Renames a file and, if another folder is picked, moves it there; `name_taken` is said in the dialog. */
export async function renameOrMoveDialog(
  api: OwnerApi,
  file: FileItem,
  destinations: { folderId: string; name: string }[],
): Promise<FileItem | undefined> {
  const name = h('input', {
    id: 'rename-name',
    required: true,
    maxlength: 1024,
    value: file.name,
    autocomplete: 'off',
  });
  const folder = h(
    'select',
    { id: 'rename-folder' },
    h('option', { value: '' }, 'Stay in this folder'),
    ...destinations.map((choice) => h('option', { value: choice.folderId }, choice.name)),
  );
  let updated: FileItem | undefined;
  await formDialog({
    title: `Rename or move ${file.name}`,
    fields: [field('Name', name), field('Move to', folder)],
    submitLabel: 'Save',
    submit: async () => {
      const change = {
        ...(name.value.trim() !== file.name ? { name: name.value.trim() } : {}),
        ...(folder.value ? { folderId: folder.value } : {}),
      };
      if (!change.name && !change.folderId) return undefined;
      try {
        updated = await api.updateFile(file.fileId, change);
        return undefined;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) return error.message;
        throw error;
      }
    },
  });
  return updated;
}
