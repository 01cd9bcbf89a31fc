import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseWithName } from '#domain/validation/release';
import {
  filesIn,
  namesOf,
  newFolder,
  pdfWith,
  settled,
  trailOf,
  uploadInto,
  waitForTrailEntry,
} from '../support/drive';
import {
  api,
  db,
  describeUpload,
  newOwner,
  type Owner,
  objectExists,
  putToS3,
  system,
  tableName,
} from '../support/harness';
import { deliverToValidator } from '../support/validator';

/**
 * Folders, names and conflicts: folders nest, files and folders are renamed and moved by
 * changing metadata only, and names are unique within a folder without regard to case, even
 * when changes race each other.
 */

const NO_SUCH_FOLDER = '000000000AAAAAAAAAAAAAA';

const patchFile = (owner: Owner, fileId: string, body: unknown) =>
  api('PATCH', `/api/files/${fileId}`, { token: owner.idToken, body });
const patchFolder = (owner: Owner, folderId: string, body: unknown) =>
  api('PATCH', `/api/folders/${folderId}`, { token: owner.idToken, body });

async function download(owner: Owner, fileId: string): Promise<string> {
  const signed = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  return (await fetch(signed.body.url)).text();
}

describe('folders', () => {
  it('nests folders and lists each folder’s own subfolders and files, the top level as in API v1', async () => {
    // prepare
    const owner = await newOwner();
    const projects = await newFolder(owner, 'Projects');
    const alpha = await newFolder(owner, 'alpha', projects);
    const beta = await newFolder(owner, 'Beta', projects);
    const atTop = await uploadInto(owner, 'top.pdf');
    const inAlpha = await uploadInto(owner, 'inside.pdf', { folderId: alpha });

    // act
    const topFolders = await api('GET', '/api/folders', { token: owner.idToken });
    const projectFolders = await api('GET', `/api/folders?parent=${projects}`, { token: owner.idToken });
    const v1List = await api('GET', '/api/files', { token: owner.idToken });
    const alphaFiles = await filesIn(owner, alpha);

    // assess
    expect(topFolders.body.items.map((folder: any) => folder.folderId)).toEqual([projects]);
    expect(projectFolders.body.items.map((folder: any) => [folder.name, folder.folderId])).toEqual([
      ['alpha', alpha],
      ['Beta', beta],
    ]);
    expect(v1List.status).toBe(200);
    expect(v1List.body.items.map((file: any) => file.fileId)).toEqual([atTop.fileId]);
    expect(alphaFiles.map((file) => [file.fileId, file.folderId])).toEqual([[inAlpha.fileId, alpha]]);
  });

  it('records folder creation, rename, move and deletion in the owner’s trail', async () => {
    // prepare
    const owner = await newOwner();
    const archive = await newFolder(owner, 'Archive');
    const folder = await newFolder(owner, 'Drafts');

    // act
    const renamed = await patchFolder(owner, folder, { name: 'Old drafts' });
    const moved = await patchFolder(owner, folder, { parentId: archive });
    const deleted = await api('DELETE', `/api/folders/${folder}`, { token: owner.idToken });

    // assess
    expect([renamed.status, moved.status, deleted.status]).toEqual([200, 200, 204]);
    const trail = (await trailOf(owner)).filter((entry) => entry.objectId === folder);
    expect(trail.map((entry) => entry.action).sort()).toEqual(
      ['folder.create', 'folder.delete', 'folder.move', 'folder.rename'].sort(),
    );
    for (const entry of trail) {
      expect(entry).toMatchObject({ actor: `user:${owner.sub}`, requestId: expect.any(String) });
    }
  });

  it('refuses to delete a folder that holds a file or a folder, and deletes it once empty', async () => {
    // prepare
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Full');
    const sub = await newFolder(owner, 'Sub', folder);
    const file = await uploadInto(owner, 'kept.pdf', { folderId: folder });

    // act
    const withBoth = await api('DELETE', `/api/folders/${folder}`, { token: owner.idToken });
    await api('DELETE', `/api/folders/${sub}`, { token: owner.idToken });
    const withFile = await api('DELETE', `/api/folders/${folder}`, { token: owner.idToken });
    expect((await patchFile(owner, file.fileId, { folderId: 'root' })).status).toBe(200);
    const empty = await api('DELETE', `/api/folders/${folder}`, { token: owner.idToken });

    // assess
    expect([withBoth.status, withBoth.body.error.code]).toEqual([409, 'folder_not_empty']);
    expect([withFile.status, withFile.body.error.code]).toEqual([409, 'folder_not_empty']);
    expect(empty.status).toBe(204);
    expect(namesOf(await filesIn(owner))).toEqual(['kept.pdf']);
  });

  it('releases an upload whose folder was deleted while it was in flight at the top level', async () => {
    // prepare: signed into a folder that holds nothing yet, which is then deleted
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Short-lived');
    const bytes = pdfWith('in flight');
    const presign = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: { ...describeUpload('in flight.pdf', 'application/pdf', bytes), folderId: folder },
    });
    expect((await api('DELETE', `/api/folders/${folder}`, { token: owner.idToken })).status).toBe(204);

    // act
    expect((await putToS3(presign.body, bytes)).status).toBe(200);
    const released = await settled(owner, presign.body.uploadId);

    // assess
    expect(released.status).toBe('clean');
    expect((await filesIn(owner)).map((file) => [file.name, file.folderId])).toEqual([['in flight.pdf', 'root']]);
  });

  it('refuses to move a folder into itself or into a folder inside it', async () => {
    // prepare
    const owner = await newOwner();
    const top = await newFolder(owner, 'Top');
    const middle = await newFolder(owner, 'Middle', top);
    const bottom = await newFolder(owner, 'Bottom', middle);

    // act
    const intoItself = await patchFolder(owner, top, { parentId: top });
    const intoChild = await patchFolder(owner, top, { parentId: middle });
    const intoGrandchild = await patchFolder(owner, top, { parentId: bottom });

    // assess
    for (const refused of [intoItself, intoChild, intoGrandchild]) {
      expect([refused.status, refused.body.error.code]).toEqual([409, 'folder_into_itself']);
    }
    const topLevel = await api('GET', '/api/folders', { token: owner.idToken });
    expect(topLevel.body.items.map((folder: any) => folder.folderId)).toEqual([top]);
  });

  it('lets only one of two folders moving into each other at once succeed, so no cycle forms', async () => {
    // prepare
    const owner = await newOwner();
    const first = await newFolder(owner, 'First');
    const second = await newFolder(owner, 'Second');

    // act
    const answers = await Promise.all([
      patchFolder(owner, first, { parentId: second }),
      patchFolder(owner, second, { parentId: first }),
    ]);

    // assess
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(1);
    const topLevel = await api('GET', '/api/folders', { token: owner.idToken });
    expect(topLevel.body.items).toHaveLength(1);
  });

  it('answers 404 for a missing folder and 400 for a malformed folder id, everywhere a folder is named', async () => {
    // prepare
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Real');

    // act
    const answers = await Promise.all([
      api('GET', `/api/files?folder=${NO_SUCH_FOLDER}`, { token: owner.idToken }),
      api('GET', `/api/folders?parent=${NO_SUCH_FOLDER}`, { token: owner.idToken }),
      api('POST', '/api/folders', { token: owner.idToken, body: { name: 'x', parentId: NO_SUCH_FOLDER } }),
      patchFolder(owner, folder, { parentId: NO_SUCH_FOLDER }),
      api('POST', '/api/uploads', {
        token: owner.idToken,
        body: { ...describeUpload('x.pdf', 'application/pdf', pdfWith('x')), folderId: NO_SUCH_FOLDER },
      }),
    ]);
    const malformed = await Promise.all([
      api('GET', '/api/files?folder=..%2Fother', { token: owner.idToken }),
      patchFolder(owner, folder, { parentId: 'a/b' }),
      api('GET', '/api/files?sort=owner', { token: owner.idToken }),
    ]);

    // assess
    for (const answer of answers) expect([answer.status, answer.body.error.code]).toEqual([404, 'folder_not_found']);
    expect(malformed.map((answer) => answer.status)).toEqual([400, 400, 400]);
  });
});

describe('names within a folder', () => {
  let owner: Owner;
  let folder: string;

  beforeAll(async () => {
    owner = await newOwner();
    folder = await newFolder(owner, 'Names');
  });

  it('refuses a folder whose name differs from a taken one only by case', async () => {
    // prepare
    await newFolder(owner, 'Reports', folder);

    // act
    const refused = await api('POST', '/api/folders', {
      token: owner.idToken,
      body: { name: 'REPORTS', parentId: folder },
    });

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([409, 'name_taken']);
  });

  it('refuses to rename a file to a name that differs from another file’s only by case', async () => {
    // prepare
    await uploadInto(owner, 'Invoice.pdf', { folderId: folder });
    const other = await uploadInto(owner, 'other.pdf', { folderId: folder });

    // act
    const refused = await patchFile(owner, other.fileId, { name: 'iNVOICE.PDF' });

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([409, 'name_taken']);
    expect(namesOf(await filesIn(owner, folder, '&sort=name'))).toEqual(['Invoice.pdf', 'other.pdf']);
  });

  it('lets a file change only the case of its own name', async () => {
    // prepare
    const file = await uploadInto(owner, 'minutes.pdf', { folderId: folder });

    // act
    const renamed = await patchFile(owner, file.fileId, { name: 'Minutes.PDF' });
    const takeOldSpelling = await api('POST', '/api/folders', {
      token: owner.idToken,
      body: { name: 'minutes.pdf', parentId: folder },
    });

    // assess
    expect([renamed.status, renamed.body.name]).toEqual([200, 'Minutes.PDF']);
    expect(takeOldSpelling.status).toBe(409);
  });

  it('shares one namespace between files and folders', async () => {
    // prepare
    const file = await uploadInto(owner, 'plans', { folderId: folder });

    // act
    const folderOfSameName = await api('POST', '/api/folders', {
      token: owner.idToken,
      body: { name: 'Plans', parentId: folder },
    });

    // assess
    expect(file.status).toBe('clean');
    expect([folderOfSameName.status, folderOfSameName.body.error.code]).toEqual([409, 'name_taken']);
  });

  it('lets exactly one of five racing renames to one name win', async () => {
    // prepare
    const racers = [];
    for (let i = 0; i < 5; i++) racers.push(await uploadInto(owner, `racer ${i}.pdf`, { folderId: folder }));

    // act
    const answers = await Promise.all(racers.map((racer) => patchFile(owner, racer.fileId, { name: 'Winner.pdf' })));

    // assess
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const losers = answers.filter((answer) => answer.status !== 200);
    expect(losers.map((answer) => [answer.status, answer.body.error.code])).toEqual(
      new Array(4).fill([409, 'name_taken']),
    );
    const names = namesOf(await filesIn(owner, folder));
    expect(names.filter((name) => name.toLowerCase() === 'winner.pdf')).toHaveLength(1);
  });
});

describe('renaming and moving files', () => {
  it('moves and renames a file by metadata only: same id, same object key, same bytes', async () => {
    // prepare
    const owner = await newOwner();
    const destination = await newFolder(owner, 'Destination');
    const file = await uploadInto(owner, 'draft.pdf', { bytes: pdfWith('the original bytes') });
    const key = `files/${owner.sub}/${file.fileId}`;

    // act
    const moved = await patchFile(owner, file.fileId, { name: 'final.pdf', folderId: destination });

    // assess
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ fileId: file.fileId, name: 'final.pdf', folderId: destination });
    expect(await objectExists(key)).toBe(true);
    expect(await download(owner, file.fileId)).toContain('the original bytes');
    expect(await filesIn(owner)).toEqual([]);
    expect(namesOf(await filesIn(owner, destination))).toEqual(['final.pdf']);
    const actions = (await trailOf(owner)).filter((entry) => entry.objectId === file.fileId).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['file.rename', 'file.move']));
  });

  it('answers 404 when a file is moved into another owner’s folder, and the file stays where it was', async () => {
    // prepare
    const [owner, stranger] = await Promise.all([newOwner(), newOwner()]);
    const strangersFolder = await newFolder(stranger, 'Not yours');
    const file = await uploadInto(owner, 'mine.pdf');
    const folder = await newFolder(owner, 'Mine');

    // act
    const fileMove = await patchFile(owner, file.fileId, { folderId: strangersFolder });
    const folderMove = await patchFolder(owner, folder, { parentId: strangersFolder });
    const strangerMovesMine = await patchFile(stranger, file.fileId, { folderId: strangersFolder });

    // assess
    expect([fileMove.status, fileMove.body.error.code]).toEqual([404, 'folder_not_found']);
    expect([folderMove.status, folderMove.body.error.code]).toEqual([404, 'folder_not_found']);
    expect([strangerMovesMine.status, strangerMovesMine.body.error.code]).toEqual([404, 'file_not_found']);
    expect(namesOf(await filesIn(owner))).toEqual(['mine.pdf']);
    expect(await filesIn(stranger, strangersFolder)).toEqual([]);
  });

  it('sorts a folder by name, date or size, either way, across pages', async () => {
    // prepare
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Sorted');
    await uploadInto(owner, 'b.pdf', { folderId: folder, bytes: pdfWith('x'.repeat(300)) });
    await uploadInto(owner, 'C.pdf', { folderId: folder, bytes: pdfWith('x'.repeat(10)) });
    await uploadInto(owner, 'a.pdf', { folderId: folder, bytes: pdfWith('x'.repeat(100)) });

    // act
    const pageOne = await api('GET', `/api/files?folder=${folder}&sort=name&limit=2`, { token: owner.idToken });
    const pageTwo = await api(
      'GET',
      `/api/files?folder=${folder}&sort=name&limit=2&cursor=${encodeURIComponent(pageOne.body.cursor)}`,
      { token: owner.idToken },
    );
    const orders = {
      nameDesc: namesOf(await filesIn(owner, folder, '&sort=name&order=desc')),
      sizeDefault: namesOf(await filesIn(owner, folder, '&sort=size')),
      sizeAsc: namesOf(await filesIn(owner, folder, '&sort=size&order=asc')),
      dateDefault: namesOf(await filesIn(owner, folder)),
      dateAsc: namesOf(await filesIn(owner, folder, '&sort=date&order=asc')),
    };
    const crossed = await api(
      'GET',
      `/api/files?folder=root&sort=name&limit=2&cursor=${encodeURIComponent(pageOne.body.cursor)}`,
      { token: owner.idToken },
    );

    // assess
    expect([...namesOf(pageOne.body.items), ...namesOf(pageTwo.body.items)]).toEqual(['a.pdf', 'b.pdf', 'C.pdf']);
    expect(orders).toEqual({
      nameDesc: ['C.pdf', 'b.pdf', 'a.pdf'],
      sizeDefault: ['b.pdf', 'a.pdf', 'C.pdf'],
      sizeAsc: ['C.pdf', 'a.pdf', 'b.pdf'],
      dateDefault: ['a.pdf', 'C.pdf', 'b.pdf'],
      dateAsc: ['b.pdf', 'C.pdf', 'a.pdf'],
    });
    expect([crossed.status, crossed.body.error.code]).toEqual([400, 'invalid_cursor']);
  });
});

describe('uploading where the name exists', () => {
  it('keeps both by default: the new file is numbered, also past a name taken in another case', async () => {
    // prepare
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Inbox');
    await uploadInto(owner, 'scan.pdf', { folderId: folder });
    await uploadInto(owner, 'scan.pdf', { folderId: folder });

    // act
    const third = await uploadInto(owner, 'SCAN.pdf', { folderId: folder, onConflict: 'keep-both' });

    // assess
    expect(third.status).toBe('clean');
    expect(namesOf(await filesIn(owner, folder, '&sort=name'))).toEqual(['scan (1).pdf', 'SCAN (2).pdf', 'scan.pdf']);
  });

  it('replaces: the file keeps its id and name, its key gets the new bytes, and the trail says so', async () => {
    // prepare
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Contracts');
    const original = await uploadInto(owner, 'lease.pdf', { folderId: folder, bytes: pdfWith('version one') });

    // act
    const replacement = await uploadInto(owner, 'LEASE.pdf', {
      folderId: folder,
      onConflict: 'replace',
      bytes: pdfWith('version two, longer'),
    });

    // assess
    expect(replacement).toMatchObject({ fileId: original.fileId, status: 'clean' });
    expect(replacement.uploadId).not.toBe(original.fileId);
    const listed = await filesIn(owner, folder);
    expect(listed.map((file) => [file.fileId, file.name, file.size])).toEqual([
      [original.fileId, 'lease.pdf', pdfWith('version two, longer').length],
    ]);
    expect(await download(owner, original.fileId)).toContain('version two, longer');
    // The upload's own bytes were never released under its id: the new version went to the old key.
    expect(await objectExists(`files/${owner.sub}/${replacement.uploadId}`)).toBe(false);
    const entry = await waitForTrailEntry(owner, (e) => e.action === 'file.replace');
    expect(entry).toMatchObject({ objectId: original.fileId, actor: 'system:validator' });
  });

  it('counts a replaced version against the quota beside the new one, and a delete gives back only the current', async () => {
    // prepare
    const owner = await newOwner();
    const v1 = pdfWith('quota version one');
    const v2 = pdfWith('quota version two, which is longer');
    const original = await uploadInto(owner, 'counted.pdf', { bytes: v1 });
    const usage = async () => (await api('GET', '/api/usage', { token: owner.idToken })).body;
    expect(await usage()).toMatchObject({ usedBytes: v1.length, reservedBytes: 0 });

    // act
    await uploadInto(owner, 'counted.pdf', { onConflict: 'replace', bytes: v2 });
    const afterReplace = await usage();
    expect((await api('DELETE', `/api/files/${original.fileId}`, { token: owner.idToken })).status).toBe(204);
    const afterDelete = await usage();

    // assess: the old version is kept (and counted) for the bucket's noncurrent retention
    expect(afterReplace).toMatchObject({ usedBytes: v1.length + v2.length, reservedBytes: 0 });
    expect(afterDelete).toMatchObject({ usedBytes: v1.length, reservedBytes: 0 });
  });

  it('counts a replacement once when its event is delivered several times at once', async () => {
    // prepare
    const owner = await newOwner();
    const v1 = pdfWith('delivered version one');
    const v2 = pdfWith('delivered version two, longer');
    const original = await uploadInto(owner, 'twice.pdf', { bytes: v1 });
    const presign = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: { ...describeUpload('twice.pdf', 'application/pdf', v2), onConflict: 'replace' },
    });
    expect((await putToS3(presign.body, v2)).status).toBe(200);
    const key = `incoming/${owner.sub}/${presign.body.uploadId}`;

    // act: the emulator's delivery and two more, at once
    await Promise.allSettled([deliverToValidator(key, v2.length), deliverToValidator(key, v2.length)]);
    const replaced = await settled(owner, presign.body.uploadId);

    // assess
    expect(replaced.fileId).toBe(original.fileId);
    const usage = (await api('GET', '/api/usage', { token: owner.idToken })).body;
    expect(usage).toMatchObject({ usedBytes: v1.length + v2.length, reservedBytes: 0 });
    // The entry is written after the release; a late one from another delivery would follow it.
    await waitForTrailEntry(owner, (entry) => entry.action === 'file.replace');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const replacements = (await trailOf(owner)).filter((entry) => entry.action === 'file.replace');
    expect(replacements).toHaveLength(1);
  });

  it('replaces nothing when the name is free: the upload simply takes it', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const upload = await uploadInto(owner, 'fresh.pdf', { onConflict: 'replace' });

    // assess
    expect(upload.fileId).toBe(upload.uploadId);
    expect(namesOf(await filesIn(owner))).toEqual(['fresh.pdf']);
  });

  it('gives racing releases of one name distinct names: one keeps it, the others are numbered', async () => {
    // prepare: five uploads of one name signed into one folder, their releases run at once
    const owner = await newOwner();
    const folder = await newFolder(owner, 'Race');
    const uploadIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const presign = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: { ...describeUpload('same.pdf', 'application/pdf', pdfWith(`copy ${i}`)), folderId: folder },
      });
      uploadIds.push(presign.body.uploadId);
    }
    const store = { db, tableName: tableName('FILES_TABLE') };
    const quotas = { db, tableName: system.tableNames.QUOTAS_TABLE as string };
    const links = { db, tableName: system.tableNames.LINKS_TABLE as string };
    const records = await Promise.all(
      uploadIds.map(
        async (fileId) =>
          (
            await db.send(
              new GetCommand({ TableName: store.tableName, Key: { ownerId: owner.sub, fileId }, ConsistentRead: true }),
            )
          ).Item as any,
      ),
    );

    // act
    const results = await Promise.all(
      records.map((record) => releaseWithName(store, quotas, links, record, folder, undefined, new Date())),
    );

    // assess
    expect(results.map((result) => (result.outcome === 'released' ? result.name : result.outcome)).sort()).toEqual([
      'same (1).pdf',
      'same (2).pdf',
      'same (3).pdf',
      'same (4).pdf',
      'same.pdf',
    ]);
    expect(namesOf(await filesIn(owner, folder, '&sort=name')).sort()).toEqual([
      'same (1).pdf',
      'same (2).pdf',
      'same (3).pdf',
      'same (4).pdf',
      'same.pdf',
    ]);
  });

  it('refuses onConflict and a folder on an upload link, which always lands at the top level', async () => {
    // prepare
    const owner = await newOwner();
    const link = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Drop' } });

    // act
    const refused = await api('POST', '/api/drop/uploads', {
      uploadToken: link.body.token,
      body: { ...describeUpload('x.pdf', 'application/pdf', pdfWith('x')), onConflict: 'replace' },
    });

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_body']);
  });
});
