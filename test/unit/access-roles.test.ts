import { describe, expect, it } from 'vitest';
import { listOrder } from '#contracts/api/drive';
import { roleFrom } from '#domain/drive/access';
import type { FolderRecord } from '#domain/drive/folders';
import type { ShareRecord } from '#domain/sharing/shares';

const share = (targetKind: 'file' | 'folder', targetId: string, role: 'view' | 'edit'): ShareRecord => ({
  shareId: `${targetKind}-${targetId}-${role}`,
  ownerId: 'owner',
  granteeId: 'grantee',
  granteeEmail: 'grantee@example.test',
  targetKind,
  targetId,
  role,
  createdAt: '2026-01-01T00:00:00.000Z',
});

const folder = (folderId: string, parentId: string) => ({ folderId, parentId }) as FolderRecord;

/** A file in `inner`, which is in `outer`, which is at the top level. */
const path = [folder('inner', 'outer'), folder('outer', 'root')];
const file = { kind: 'file' as const, id: 'file1' };

describe('roleFrom', () => {
  it('gives the role of a share of the file itself', () => {
    // act
    const role = roleFrom([share('file', 'file1', 'view')], file, path);

    // assess
    expect(role).toBe('view');
  });

  it('gives the role of a share of any folder above the file', () => {
    // act
    const roles = [
      roleFrom([share('folder', 'outer', 'edit')], file, path),
      roleFrom([share('folder', 'inner', 'view')], file, path),
    ];

    // assess
    expect(roles).toEqual(['edit', 'view']);
  });

  it('takes the strongest of several shares, wherever each is', () => {
    // act
    const role = roleFrom([share('file', 'file1', 'view'), share('folder', 'outer', 'edit')], file, path);

    // assess
    expect(role).toBe('edit');
  });

  it('gives nothing for a share of another file, a sibling folder, or a file share that names a folder id', () => {
    // prepare
    const unrelated = [
      share('file', 'file2', 'edit'),
      share('folder', 'sibling', 'edit'),
      share('file', 'inner', 'edit'),
    ];

    // act
    const role = roleFrom(unrelated, file, path);

    // assess
    expect(role).toBeUndefined();
  });
});

describe('listOrder', () => {
  it('lists newest first, names A to Z and largest first unless an order is given', () => {
    // act
    const defaults = ['date', 'name', 'size', undefined].map((sort) => listOrder.parse({ sort }));
    const reversed = listOrder.parse({ sort: 'name', order: 'desc' });

    // assess
    expect(defaults.map((order) => `${order.sort}:${order.order}`)).toEqual([
      'date:desc',
      'name:asc',
      'size:desc',
      'date:desc',
    ]);
    expect(reversed).toEqual({ sort: 'name', order: 'desc' });
  });
});
