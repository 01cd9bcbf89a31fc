import { describe, expect, it } from 'vitest';
import { deleteFileRecordItem, type FileRecord, type FilesStore, moveFileRecordItem } from '#domain/drive/file-records';
import {
  deleteEmptyFolderItem,
  type FolderRecord,
  folderNameOf,
  moveChecks,
  moveFolderItem,
} from '#domain/drive/folders';

// The builders only read the table name: no client is ever sent anything here.
const store = { tableName: 'files' } as FilesStore;

const folder = (folderId: string, parentId: string): FolderRecord => ({
  ownerId: 'owner',
  fileId: `folder#${folderId}`,
  kind: 'folder',
  folderId,
  parentId,
  name: folderId,
  nameKey: folderId,
  listKey: `folders/owner/${parentId}`,
  sizeKey: '0000000000000000',
  createdAt: '2026-01-01T00:00:00.000Z',
  children: 0,
});

const file = {
  ownerId: 'owner',
  fileId: 'file1',
  name: 'report.pdf',
  listKey: 'files/owner/root',
  claimed: true,
} as FileRecord;

describe('moveChecks', () => {
  it('checks every folder on the destination path still hangs where it was read', () => {
    // prepare
    const path = [folder('inner', 'outer'), folder('outer', 'root')];

    // act
    const items = moveChecks(store, 'owner', 'root', 'elsewhere', path);

    // assess
    expect(items.map((item) => item.ConditionCheck?.Key?.fileId ?? item.Update?.Key?.fileId)).toEqual([
      'folder#inner',
      'folder#outer',
      'folder#elsewhere',
    ]);
    expect(items[0]?.ConditionCheck?.ExpressionAttributeValues).toEqual({ ':parent': 'outer' });
  });

  it('counts into a folder on the path with the same update that checks it (a transaction touches an item once)', () => {
    // prepare
    const path = [folder('inner', 'outer'), folder('outer', 'root')];

    // act
    const items = moveChecks(store, 'owner', 'old', 'inner', path);

    // assess
    expect(items).toHaveLength(3);
    expect(items[0]?.Update).toMatchObject({
      Key: { ownerId: 'owner', fileId: 'folder#inner' },
      UpdateExpression: 'ADD children :delta',
      ConditionExpression: 'parentId = :parent',
      ExpressionAttributeValues: { ':parent': 'outer', ':delta': 1 },
    });
    expect(items[2]?.Update).toMatchObject({
      Key: { fileId: 'folder#old' },
      ExpressionAttributeValues: { ':delta': -1 },
    });
  });

  it('counts nothing at the top level, which has no item', () => {
    // act
    const items = moveChecks(store, 'owner', 'root', 'root', []);

    // assess
    expect(items).toEqual([]);
  });
});

describe('folder items', () => {
  it('rehangs a folder only if it is still under the parent and name it was read with', () => {
    // prepare
    const before = folder('a', 'root');
    const after = { ...before, name: 'b', nameKey: 'b', parentId: 'p', listKey: 'folders/owner/p' };

    // act
    const item = moveFolderItem(store, before, after);

    // assess
    expect(item.Update?.ConditionExpression).toBe('parentId = :oldParent AND #name = :oldName');
    expect(item.Update?.ExpressionAttributeValues).toMatchObject({
      ':oldParent': 'root',
      ':oldName': 'a',
      ':parent': 'p',
      ':name': 'b',
    });
  });

  it('deletes a folder only while it holds nothing', () => {
    // act
    const item = deleteEmptyFolderItem(store, folder('a', 'root'));

    // assess
    expect(item.Delete).toMatchObject({
      Key: { ownerId: 'owner', fileId: 'folder#a' },
      ConditionExpression: 'children = :none',
      ExpressionAttributeValues: { ':none': 0 },
    });
  });

  it('refuses a folder name with nothing safe left in it, and keeps a folder named "file"', () => {
    // act
    const refused = () => folderNameOf('///');
    const kept = folderNameOf('file');

    // assess
    expect(refused).toThrow(expect.objectContaining({ code: 'invalid_name' }));
    expect(kept).toBe('file');
  });
});

describe('file record items', () => {
  it('renames or moves a file only if it still has the name and place it was read with', () => {
    // prepare
    const after = { ...file, name: 'Report.pdf', nameKey: 'report.pdf', folderId: 'f', listKey: 'files/owner/f' };

    // act
    const item = moveFileRecordItem(store, file, after);

    // assess
    expect(item.Update?.ConditionExpression).toBe('#name = :oldName AND listKey = :oldListKey');
    expect(item.Update?.ExpressionAttributeValues).toMatchObject({
      ':oldName': 'report.pdf',
      ':oldListKey': 'files/owner/root',
      ':name': 'Report.pdf',
      ':folder': 'f',
    });
  });

  it('deletes a named file only where it was read, and an unnamed one only while it is still unnamed', () => {
    // act
    const named = deleteFileRecordItem(store, file, true);
    const unnamed = deleteFileRecordItem(store, file, false);

    // assess
    expect(named.Delete?.ConditionExpression).toBe('#name = :name AND listKey = :listKey');
    expect(unnamed.Delete?.ConditionExpression).toBe('attribute_not_exists(claimed) OR attribute_exists(mergedInto)');
  });
});
