import { beforeAll, describe, expect, it } from 'vitest';
import { filesIn, namesOf, newFolder, pdfWith, settled, trailOf, uploadInto } from '../support/drive';
import { api, describeUpload, newOwner, type Owner, PNG, putToS3 } from '../support/harness';

/**
 * Sharing: an owner shares a file or a folder by e-mail as `view` or `edit`. Every route asks
 * the same access check, shares are read on every request (a revoke ends access at once), and
 * someone who was never shared a thing cannot tell it from one that does not exist.
 */

const share = (owner: Owner, body: Record<string, unknown>) =>
  api('POST', '/api/shares', { token: owner.idToken, body });

async function shareWith(owner: Owner, grantee: Owner, role: 'view' | 'edit', target: Record<string, string>) {
  const created = await share(owner, { email: grantee.email, role, ...target });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.shareId as string;
}

/** Every route a sharee could use on a file, with what each needs. */
function fileRoutes(caller: Owner, fileId: string, elsewhere: string) {
  return {
    download: () => api('GET', `/api/files/${fileId}/download`, { token: caller.idToken }),
    thumbnail: () => api('GET', `/api/files/${fileId}/thumbnail`, { token: caller.idToken }),
    rename: () => api('PATCH', `/api/files/${fileId}`, { token: caller.idToken, body: { name: 'taken over.pdf' } }),
    move: () => api('PATCH', `/api/files/${fileId}`, { token: caller.idToken, body: { folderId: elsewhere } }),
    delete: () => api('DELETE', `/api/files/${fileId}`, { token: caller.idToken }),
  };
}

async function presignInto(caller: Owner, folderId: string, name: string) {
  return api('POST', '/api/uploads', {
    token: caller.idToken,
    body: { ...describeUpload(name, 'application/pdf', pdfWith(name)), folderId },
  });
}

describe('sharing', () => {
  let owner: Owner;
  let viewer: Owner;
  let editor: Owner;
  let stranger: Owner;
  let shared: string;
  let inner: string;
  let notShared: string;
  let fileInShared: string;
  let imageInShared: string;
  let fileOutside: string;

  beforeAll(async () => {
    [owner, viewer, editor, stranger] = await Promise.all([newOwner(), newOwner(), newOwner(), newOwner()]);
    shared = await newFolder(owner, 'Shared');
    inner = await newFolder(owner, 'Inner', shared);
    notShared = await newFolder(owner, 'Private');
    fileInShared = (await uploadInto(owner, 'plan.pdf', { folderId: inner })).fileId;
    const image = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: { ...describeUpload('photo.png', 'image/png', PNG), folderId: shared },
    });
    expect((await putToS3(image.body, PNG)).status).toBe(200);
    imageInShared = (await settled(owner, image.body.uploadId)).fileId;
    fileOutside = (await uploadInto(owner, 'secret.pdf', { folderId: notShared })).fileId;
    await shareWith(owner, viewer, 'view', { folderId: shared });
    await shareWith(owner, editor, 'edit', { folderId: shared });
  });

  it('refuses a share to an e-mail address no user signs in with, and shares nothing', async () => {
    // act
    const refused = await share(owner, { email: 'nobody-here@example.test', role: 'view', folderId: shared });
    const list = await api('GET', '/api/shares', { token: owner.idToken });

    // assess
    expect([refused.status, refused.body.error.code]).toEqual([404, 'user_not_found']);
    expect(list.body.items.map((item: any) => item.granteeEmail).sort()).toEqual([editor.email, viewer.email].sort());
  });

  it('refuses to share what is not the caller’s own (404, or 403 to a grantee) and hostile bodies (400)', async () => {
    // act
    const othersFolder = await share(stranger, { email: viewer.email, role: 'edit', folderId: shared });
    const viewerReshares = await share(viewer, { email: stranger.email, role: 'view', folderId: shared });
    const hostile = await Promise.all([
      share(owner, { email: viewer.email, role: 'admin', folderId: shared }),
      share(owner, { email: viewer.email, role: 'view', folderId: shared, fileId: fileInShared }),
      share(owner, { email: 'x" or email ^= "', role: 'view', folderId: shared }),
      share(owner, { email: owner.email, role: 'edit', folderId: shared }),
      share(owner, { email: viewer.email, role: 'view', folderId: 'root' }),
    ]);

    // assess
    expect([othersFolder.status, othersFolder.body.error.code]).toEqual([404, 'folder_not_found']);
    // The viewer can see the folder, so it is not hidden from them; they just cannot pass it on.
    expect([viewerReshares.status, viewerReshares.body.error.code]).toEqual([403, 'not_owner']);
    expect(hostile.map((answer) => answer.status)).toEqual([400, 400, 400, 400, 400]);
  });

  it('lets a viewer list, download and see the thumbnail of what is in a shared folder, at any depth', async () => {
    // act
    const sharedWithMe = await api('GET', '/api/shared-with-me', { token: viewer.idToken });
    const top = await filesIn(viewer, shared);
    const subfolders = await api('GET', `/api/folders?parent=${shared}`, { token: viewer.idToken });
    const deep = await filesIn(viewer, inner);
    const download = await fileRoutes(viewer, fileInShared, inner).download();
    const thumbnail = await fileRoutes(viewer, imageInShared, inner).thumbnail();

    // assess
    expect(sharedWithMe.body.items).toEqual([
      expect.objectContaining({ role: 'view', kind: 'folder', folder: expect.objectContaining({ folderId: shared }) }),
    ]);
    expect(namesOf(top)).toEqual(['photo.png']);
    expect(subfolders.body.items.map((folder: any) => folder.folderId)).toEqual([inner]);
    expect(namesOf(deep)).toEqual(['plan.pdf']);
    expect(download.status).toBe(200);
    expect(await (await fetch(download.body.url)).text()).toContain('plan.pdf');
    expect(thumbnail.status).toBe(200);
  });

  it('answers 403 view_only when a viewer renames, moves, deletes or uploads, and changes nothing', async () => {
    // prepare
    const routes = fileRoutes(viewer, fileInShared, shared);

    // act
    const answers = [
      await routes.rename(),
      await routes.move(),
      await routes.delete(),
      await presignInto(viewer, shared, 'from viewer.pdf'),
      await api('POST', '/api/folders', { token: viewer.idToken, body: { name: 'mine', parentId: shared } }),
      await api('DELETE', `/api/folders/${inner}`, { token: viewer.idToken }),
    ];

    // assess
    for (const answer of answers) expect([answer.status, answer.body.error.code]).toEqual([403, 'view_only']);
    expect(namesOf(await filesIn(owner, inner))).toEqual(['plan.pdf']);
    expect(namesOf(await filesIn(owner, shared))).toEqual(['photo.png']);
  });

  it('answers 404, never 403, on every route to a user who was never shared the file', async () => {
    // prepare
    const routes = fileRoutes(stranger, fileInShared, inner);

    // act
    const answers = [
      await routes.download(),
      await routes.thumbnail(),
      await routes.rename(),
      await routes.move(),
      await routes.delete(),
      await api('GET', `/api/files?folder=${shared}`, { token: stranger.idToken }),
      await api('GET', `/api/folders?parent=${shared}`, { token: stranger.idToken }),
      await presignInto(stranger, shared, 'intruder.pdf'),
    ];

    // assess
    expect(answers.map((answer) => answer.status)).toEqual(new Array(answers.length).fill(404));
  });

  it('keeps a viewer of a folder out of the owner’s other folders', async () => {
    // act
    const answers = [
      await fileRoutes(viewer, fileOutside, inner).download(),
      await api('GET', `/api/files?folder=${notShared}`, { token: viewer.idToken }),
    ];

    // assess
    expect(answers.map((answer) => [answer.status, answer.body.error.code])).toEqual([
      [404, 'file_not_found'],
      [404, 'folder_not_found'],
    ]);
  });

  it('lets an editor upload into, rename, move within and delete in the shared folder, in the owner’s drive and trail', async () => {
    // prepare
    const upload = await presignInto(editor, shared, 'from editor.pdf');
    expect(upload.status).toBe(201);
    expect((await putToS3(upload.body, pdfWith('from editor.pdf'))).status).toBe(200);
    const uploaded = await settled(editor, upload.body.uploadId);

    // act
    const renamed = await api('PATCH', `/api/files/${uploaded.fileId}`, {
      token: editor.idToken,
      body: { name: 'renamed by editor.pdf', folderId: inner },
    });
    const created = await api('POST', '/api/folders', {
      token: editor.idToken,
      body: { name: 'New', parentId: inner },
    });
    const deleted = await api('DELETE', `/api/files/${uploaded.fileId}`, { token: editor.idToken });
    const outOfShare = await api('PATCH', `/api/files/${fileInShared}`, {
      token: editor.idToken,
      body: { folderId: notShared },
    });
    const intoOwnDrive = await api('PATCH', `/api/files/${fileInShared}`, {
      token: editor.idToken,
      body: { folderId: 'root' },
    });

    // assess
    expect(uploaded.status).toBe('clean');
    expect(renamed.status).toBe(200);
    expect(created.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect([outOfShare.status, outOfShare.body.error.code]).toEqual([404, 'folder_not_found']);
    expect([intoOwnDrive.status, intoOwnDrive.body.error.code]).toEqual([409, 'other_drive']);
    expect(namesOf(await filesIn(owner, inner))).not.toContain('renamed by editor.pdf');
    const byEditor = (await trailOf(owner)).filter((entry) => entry.actor === `user:${editor.sub}`);
    expect(byEditor.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['upload.presign', 'file.rename', 'file.move', 'folder.create', 'file.delete']),
    );
  });

  it('lets an editor replace a file in the shared folder: the owner’s file keeps its id and gets the new bytes', async () => {
    // prepare
    const original = await uploadInto(owner, 'budget.pdf', { folderId: inner, bytes: pdfWith('budget v1') });

    // act
    const replaced = await uploadInto(editor, 'Budget.pdf', {
      folderId: inner,
      onConflict: 'replace',
      bytes: pdfWith('budget v2 by the editor'),
    });

    // assess
    expect(replaced.fileId).toBe(original.fileId);
    const download = await fileRoutes(owner, original.fileId, inner).download();
    expect(await (await fetch(download.body.url)).text()).toContain('budget v2 by the editor');
    expect(namesOf(await filesIn(owner, inner)).filter((name) => name.toLowerCase() === 'budget.pdf')).toEqual([
      'budget.pdf',
    ]);
  });

  it('ends access with the next request once the owner revokes a share, mid-session', async () => {
    // prepare
    const reader = await newOwner();
    const shareId = await shareWith(owner, reader, 'view', { fileId: fileInShared });
    const before = await fileRoutes(reader, fileInShared, inner).download();
    expect(before.status).toBe(200);

    // act
    const revoked = await api('DELETE', `/api/shares/${shareId}`, { token: owner.idToken });
    const after = await fileRoutes(reader, fileInShared, inner).download();
    const sharedWithMe = await api('GET', '/api/shared-with-me', { token: reader.idToken });

    // assess
    expect(revoked.status).toBe(204);
    expect([after.status, after.body.error.code]).toEqual([404, 'file_not_found']);
    expect(sharedWithMe.body.items).toEqual([]);
  });

  it('lets only the owner revoke a share, and answers anyone else 404', async () => {
    // prepare
    const reader = await newOwner();
    const shareId = await shareWith(owner, reader, 'view', { fileId: fileInShared });

    // act
    const byGrantee = await api('DELETE', `/api/shares/${shareId}`, { token: reader.idToken });
    const byStranger = await api('DELETE', `/api/shares/${shareId}`, { token: stranger.idToken });
    const stillThere = await fileRoutes(reader, fileInShared, inner).download();

    // assess
    expect([byGrantee.status, byStranger.status]).toEqual([404, 404]);
    expect(stillThere.status).toBe(200);
  });

  it('shares a single file without opening the folder it is in', async () => {
    // prepare
    const reader = await newOwner();
    await shareWith(owner, reader, 'view', { fileId: fileOutside });

    // act
    const download = await fileRoutes(reader, fileOutside, inner).download();
    const folder = await api('GET', `/api/files?folder=${notShared}`, { token: reader.idToken });

    // assess
    expect(download.status).toBe(200);
    expect([folder.status, folder.body.error.code]).toEqual([404, 'folder_not_found']);
  });

  it('leaves the shares of a deleted file out of the owner’s list, and the grantee loses it', async () => {
    // prepare
    const reader = await newOwner();
    const doomed = await uploadInto(owner, 'doomed.pdf', { folderId: notShared });
    const shareId = await shareWith(owner, reader, 'view', { fileId: doomed.fileId });

    // act
    expect((await api('DELETE', `/api/files/${doomed.fileId}`, { token: owner.idToken })).status).toBe(204);
    const list = await api('GET', '/api/shares?limit=100', { token: owner.idToken });
    const sharedWithReader = await api('GET', '/api/shared-with-me', { token: reader.idToken });

    // assess
    expect(list.body.items.map((item: any) => item.shareId)).not.toContain(shareId);
    expect(list.body.items.every((item: any) => typeof item.name === 'string')).toBe(true);
    expect(sharedWithReader.body.items).toEqual([]);
  });

  it('pages what is shared with a user, and refuses a cursor made for another user', async () => {
    // prepare
    const reader = await newOwner();
    const targets: Record<string, string>[] = [{ folderId: shared }, { folderId: inner }, { fileId: fileOutside }];
    for (const target of targets) {
      await shareWith(owner, reader, 'view', target);
    }

    // act
    const first = await api('GET', '/api/shared-with-me?limit=2', { token: reader.idToken });
    const second = await api('GET', `/api/shared-with-me?limit=2&cursor=${encodeURIComponent(first.body.cursor)}`, {
      token: reader.idToken,
    });
    const stolen = await api('GET', `/api/shared-with-me?limit=2&cursor=${encodeURIComponent(first.body.cursor)}`, {
      token: stranger.idToken,
    });

    // assess
    const listed = [...first.body.items, ...second.body.items].map((item: any) =>
      item.kind === 'file' ? item.file.fileId : item.folder.folderId,
    );
    expect(listed.sort()).toEqual([shared, inner, fileOutside].sort());
    expect([stolen.status, stolen.body.error.code]).toEqual([400, 'invalid_cursor']);
  });

  it('records share creation and revocation in the owner’s trail', async () => {
    // prepare
    const reader = await newOwner();
    const shareId = await shareWith(owner, reader, 'edit', { folderId: inner });

    // act
    await api('DELETE', `/api/shares/${shareId}`, { token: owner.idToken });

    // assess
    const entries = (await trailOf(owner)).filter((entry) => String(entry.outcome).includes(shareId));
    expect(entries.map((entry) => entry.action).sort()).toEqual(['share.create', 'share.revoke']);
    for (const entry of entries) expect(entry).toMatchObject({ objectId: inner, actor: `user:${owner.sub}` });
  });
});
