import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '#contracts/routes';
import {
  api,
  db,
  describeUpload,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  putToS3,
  TEXT,
  tableName,
  waitForSettled,
} from '../support/harness';

/**
 * One owner's things are invisible to every other owner: another owner's file, upload or link
 * answers exactly as one that never existed (404, never 403), and no input (an id, a page
 * cursor, a link token) reaches into another owner's space.
 */

interface Link {
  readonly linkId: string;
  readonly token: string;
}

/**
 * Presigns an owner upload and PUTs the bytes, without confirming it, then lets the validator
 * finish with it: s3rver prunes a folder left empty by a delete, and a PUT into that folder at
 * that moment is lost although it answered 200, so PUTs here never overlap the validator's.
 */
async function putUpload(owner: Owner, name: string, bytes: Uint8Array = PDF): Promise<string> {
  const presign = await api('POST', '/api/uploads', {
    token: owner.idToken,
    body: describeUpload(name, 'application/pdf', bytes),
  });
  expect(presign.status).toBe(201);
  expect((await putToS3(presign.body, bytes)).status).toBe(200);
  await waitForSettled(owner, presign.body.uploadId);
  return presign.body.uploadId;
}

/** A file the owner uploaded, confirmed and the validator released. */
async function cleanFile(owner: Owner, name: string): Promise<string> {
  const fileId = await putUpload(owner, name, TEXT(`%PDF-1.4\n% ${name}\n%%EOF\n`));
  const confirm = await api('POST', `/api/uploads/${fileId}/confirm`, { token: owner.idToken });
  expect({ status: confirm.status, body: confirm.body }).toMatchObject({ status: 200, body: { status: 'clean' } });
  return fileId;
}

async function createLink(owner: Owner, label: string): Promise<Link> {
  const created = await api('POST', '/api/links', {
    token: owner.idToken,
    body: { label, expiresInHours: 1, maxUploads: 3 },
  });
  expect(created.status).toBe(201);
  return { linkId: created.body.linkId, token: created.body.token };
}

const idsOf = (items: { fileId?: string; linkId?: string }[]): string[] =>
  items.map((item) => (item.fileId ?? item.linkId) as string);

const cursorOf = (key: Record<string, string>): string => Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeCursor = (cursor: string): Record<string, string> =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

// Well-formed ids that name nothing: what another owner's id must be indistinguishable from.
const NO_SUCH_FILE = '000000000AAAAAAAAAAAAAA';
const NO_SUCH_LINK = 'AAAAAAAAAAAAAAAA';

describe('tenancy between owners', () => {
  let ownerA: Owner;
  let ownerB: Owner;
  let fileOfA: string;
  let linkOfA: Link;
  let filesOfB: string[];
  let linkOfB: Link;

  beforeAll(async () => {
    [ownerA, ownerB] = await Promise.all([newOwner(), newOwner()]);
    // One upload at a time: see putUpload.
    fileOfA = await cleanFile(ownerA, 'A contract.pdf');
    filesOfB = [await cleanFile(ownerB, 'B first.pdf'), await cleanFile(ownerB, 'B second.pdf')];
    [linkOfA, linkOfB] = await Promise.all([createLink(ownerA, 'Link of A'), createLink(ownerB, 'Link of B')]);
  });

  describe('files', () => {
    it("does not list another owner's files", async () => {
      // act
      const listOfB = await api('GET', '/api/files?limit=100', { token: ownerB.idToken });
      const listOfA = await api('GET', '/api/files?limit=100', { token: ownerA.idToken });

      // assess
      expect(listOfB.status).toBe(200);
      expect(idsOf(listOfB.body.items)).toEqual(expect.arrayContaining(filesOfB));
      expect(idsOf(listOfB.body.items)).not.toContain(fileOfA);
      expect(listOfA.status).toBe(200);
      expect(idsOf(listOfA.body.items)).toContain(fileOfA);
      for (const fileId of filesOfB) expect(idsOf(listOfA.body.items)).not.toContain(fileId);
    });

    it("does not list a file that came in through another owner's link", async () => {
      // prepare: a client uploads through A's link
      const bytes = TEXT('%PDF-1.4\n% via link\n%%EOF\n');
      const presign = await api('POST', '/api/drop/uploads', {
        uploadToken: linkOfA.token,
        body: describeUpload('From client.pdf', 'application/pdf', bytes),
      });
      expect(presign.status).toBe(201);
      expect((await putToS3(presign.body, bytes)).status).toBe(200);
      await waitForSettled(ownerA, presign.body.uploadId);

      // act
      const listOfB = await api('GET', '/api/files?limit=100', { token: ownerB.idToken });
      const listOfA = await api('GET', '/api/files?limit=100', { token: ownerA.idToken });

      // assess
      expect(idsOf(listOfB.body.items)).not.toContain(presign.body.uploadId);
      expect(idsOf(listOfA.body.items)).toContain(presign.body.uploadId);
    });

    it('answers 404, as for a file that never existed, when another owner downloads a file', async () => {
      // act
      const foreign = await api('GET', `/api/files/${fileOfA}/download`, { token: ownerB.idToken });
      const missing = await api('GET', `/api/files/${NO_SUCH_FILE}/download`, { token: ownerB.idToken });

      // assess
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'file_not_found', message: expect.any(String) } });
      expect(foreign.body).toEqual(missing.body);
      expect(foreign.body.url).toBeUndefined();
    });

    it('answers 404 when another owner deletes a file, and the file stays with its owner', async () => {
      // prepare
      const fileId = await cleanFile(ownerA, 'Keep me.pdf');

      // act
      const foreign = await api('DELETE', `/api/files/${fileId}`, { token: ownerB.idToken });

      // assess
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'file_not_found', message: expect.any(String) } });
      expect(await objectExists(`files/${ownerA.sub}/${fileId}`)).toBe(true);
      const download = await api('GET', `/api/files/${fileId}/download`, { token: ownerA.idToken });
      expect(download.status).toBe(200);
      const fetched = await fetch(download.body.url);
      expect(fetched.status).toBe(200);
    });

    it('answers 404 when another owner confirms an upload, and leaves it unconfirmed', async () => {
      // prepare: A's upload has arrived (and been checked) but A has not confirmed it
      const uploadId = await putUpload(ownerA, 'Not yet confirmed.pdf');

      // act
      const foreign = await api('POST', `/api/uploads/${uploadId}/confirm`, { token: ownerB.idToken });

      // assess
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'upload_not_found', message: expect.any(String) } });
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName('FILES_TABLE'),
          Key: { ownerId: ownerA.sub, fileId: uploadId },
          ConsistentRead: true,
        }),
      );
      expect(Item?.confirmedAt).toBeUndefined();
      const own = await api('POST', `/api/uploads/${uploadId}/confirm`, { token: ownerA.idToken });
      expect(own.status).toBe(200);
    });

    it('answers 404, not 409, when another owner confirms an upload whose bytes have not arrived', async () => {
      // prepare: signed for A, never sent (A itself would hear 409 not_uploaded)
      const presign = await api('POST', '/api/uploads', {
        token: ownerA.idToken,
        body: describeUpload('Never sent.pdf', 'application/pdf', PDF),
      });
      expect(presign.status).toBe(201);

      // act
      const foreign = await api('POST', `/api/uploads/${presign.body.uploadId}/confirm`, { token: ownerB.idToken });
      const own = await api('POST', `/api/uploads/${presign.body.uploadId}/confirm`, { token: ownerA.idToken });

      // assess
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('upload_not_found');
      expect(own.status).toBe(409);
    });
  });

  describe('links', () => {
    it("does not list another owner's links", async () => {
      // act
      const linksOfB = await api('GET', '/api/links?limit=100', { token: ownerB.idToken });

      // assess
      expect(linksOfB.status).toBe(200);
      expect(idsOf(linksOfB.body.items)).toContain(linkOfB.linkId);
      expect(idsOf(linksOfB.body.items)).not.toContain(linkOfA.linkId);
      expect(JSON.stringify(linksOfB.body)).not.toContain(linkOfA.linkId);
    });

    it('answers 404, as for a link that never existed, when another owner revokes a link, and the link keeps working', async () => {
      // prepare
      const link = await createLink(ownerA, 'Do not revoke');

      // act
      const foreign = await api('DELETE', `/api/links/${link.linkId}`, { token: ownerB.idToken });
      const missing = await api('DELETE', `/api/links/${NO_SUCH_LINK}`, { token: ownerB.idToken });

      // assess
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual({ error: { code: 'link_not_found', message: expect.any(String) } });
      expect(foreign.body).toEqual(missing.body);
      const drop = await api('GET', '/api/drop', { uploadToken: link.token });
      expect(drop.status).toBe(200);
      expect(drop.body.uploadsLeft).toBe(3);
      const linksOfA = await api('GET', '/api/links?limit=100', { token: ownerA.idToken });
      const listed = linksOfA.body.items.find((item: { linkId: string }) => item.linkId === link.linkId);
      expect(listed).toMatchObject({ revoked: false, state: 'active' });
    });

    it("does not let a link holder confirm the owner's own upload or another owner's upload", async () => {
      // prepare: two uploads that arrived, neither made through A's link
      const uploadOfA = await putUpload(ownerA, 'Owner upload.pdf');
      const uploadOfB = await putUpload(ownerB, 'Other owner upload.pdf');

      // act
      const ownersUpload = await api('POST', `/api/drop/uploads/${uploadOfA}/confirm`, {
        uploadToken: linkOfA.token,
      });
      const othersUpload = await api('POST', `/api/drop/uploads/${uploadOfB}/confirm`, {
        uploadToken: linkOfA.token,
      });

      // assess
      expect(ownersUpload.status).toBe(404);
      expect(ownersUpload.body.error.code).toBe('upload_not_found');
      expect(othersUpload.status).toBe(404);
      expect(othersUpload.body.error.code).toBe('upload_not_found');
    });
  });

  describe('page cursors', () => {
    it("follows the caller's own files cursor (the control for the forged ones)", async () => {
      // prepare
      const firstTwo = await api('GET', '/api/files?limit=2', { token: ownerB.idToken });
      const firstPage = await api('GET', '/api/files?limit=1', { token: ownerB.idToken });
      expect(firstPage.body.cursor).toEqual(expect.any(String));
      expect(decodeCursor(firstPage.body.cursor).ownerId).toBe(ownerB.sub);

      // act
      const secondPage = await api('GET', `/api/files?limit=1&cursor=${firstPage.body.cursor}`, {
        token: ownerB.idToken,
      });

      // assess
      expect(secondPage.status).toBe(200);
      expect([...idsOf(firstPage.body.items), ...idsOf(secondPage.body.items)]).toEqual(idsOf(firstTwo.body.items));
    });

    it('refuses with 400 a files cursor forged to name another owner, and shows none of their files', async () => {
      // prepare: B's own cursor shape, pointing into A's partition
      const firstPage = await api('GET', '/api/files?limit=1', { token: ownerB.idToken });
      const forged = cursorOf({ ...decodeCursor(firstPage.body.cursor), ownerId: ownerA.sub, fileId: '0' });
      const forgedAtFile = cursorOf({ ownerId: ownerA.sub, fileId: fileOfA });

      // act
      const responses = [
        await api('GET', `/api/files?cursor=${forged}`, { token: ownerB.idToken }),
        await api('GET', `/api/files?cursor=${forgedAtFile}`, { token: ownerB.idToken }),
      ];

      // assess
      for (const response of responses) {
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ error: { code: 'invalid_cursor', message: expect.any(String) } });
        expect(JSON.stringify(response.body)).not.toContain(fileOfA);
      }
    });

    it('refuses with 400 a links cursor forged to name another owner, and shows none of their links', async () => {
      // prepare
      const linksOfA = await api('GET', '/api/links?limit=100', { token: ownerA.idToken });
      const target = linksOfA.body.items.find((item: { linkId: string }) => item.linkId === linkOfA.linkId);
      const forged = cursorOf({
        ownerId: ownerA.sub,
        createdAt: '9999-12-31T00:00:00.000Z',
        linkId: 'zzzzzzzzzzzzzzzz',
      });
      const forgedAtLink = cursorOf({ ownerId: ownerA.sub, createdAt: target.createdAt, linkId: linkOfA.linkId });

      // act
      const responses = [
        await api('GET', `/api/links?cursor=${forged}`, { token: ownerB.idToken }),
        await api('GET', `/api/links?cursor=${forgedAtLink}`, { token: ownerB.idToken }),
      ];

      // assess
      for (const response of responses) {
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ error: { code: 'invalid_cursor', message: expect.any(String) } });
      }
    });

    it('refuses with 400 a cursor that names the caller but is not a key of the list', async () => {
      // prepare: the right owner in the wrong shape (another list's key, an extra attribute, a missing one)
      const cases = [
        ['/api/files', { ownerId: ownerB.sub, createdAt: '2020-01-01T00:00:00.000Z', linkId: linkOfB.linkId }],
        ['/api/files', { ownerId: ownerB.sub, fileId: filesOfB[0] as string, status: 'clean' }],
        ['/api/files', { ownerId: ownerB.sub }],
        ['/api/links', { ownerId: ownerB.sub, fileId: filesOfB[0] as string }],
        ['/api/links', { ownerId: ownerB.sub }],
      ] as const;

      // act
      const responses = await Promise.all(
        cases.map(([path, key]) => api('GET', `${path}?cursor=${cursorOf(key)}`, { token: ownerB.idToken })),
      );

      // assess
      expect(
        responses.map((response, index) => ({
          list: cases[index]?.[0],
          cursor: cases[index]?.[1],
          status: response.status,
          code: response.body?.error?.code,
        })),
      ).toEqual(cases.map(([list, cursor]) => ({ list, cursor, status: 400, code: 'invalid_cursor' })));
    });
  });

  describe('link tokens on owner routes', () => {
    it('answers 401 on every owner route for a request carrying only a link token', async () => {
      // prepare
      const ownerRoutes = routes.filter((route) => route.caller === 'owner');
      const path = (template: string) =>
        template.replace('{fileId}', fileOfA).replace('{uploadId}', fileOfA).replace('{linkId}', linkOfA.linkId);

      // act
      const responses = await Promise.all(
        ownerRoutes.map(async (route) => ({
          route: `${route.method} ${route.path}`,
          response: await api(route.method, path(route.path), {
            uploadToken: linkOfA.token,
            ...(route.method === 'POST' ? { body: { label: 'x' } } : {}),
          }),
        })),
      );

      // assess
      for (const { route, response } of responses) {
        expect({ route, status: response.status }).toEqual({ route, status: 401 });
        expect(JSON.stringify(response.body)).not.toContain(fileOfA);
      }
      const drop = await api('GET', '/api/drop', { uploadToken: linkOfA.token });
      expect(drop.status).toBe(200);
    });

    it('answers 401 on GET /api/files for a link token sent as a bearer token', async () => {
      // act
      const asBearer = await api('GET', '/api/files', { token: linkOfA.token });
      const asHeader = await api('GET', '/api/files', { uploadToken: linkOfA.token });

      // assess
      expect(asBearer.status).toBe(401);
      expect(asBearer.body.error.code).toEqual(expect.any(String));
      expect(asHeader.status).toBe(401);
      expect(asHeader.body).toEqual({ error: { code: 'missing_token', message: expect.any(String) } });
    });
  });
});
