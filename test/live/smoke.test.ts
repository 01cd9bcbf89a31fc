import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Created } from './cleanup';
import {
  type Answer,
  call,
  describePdf,
  discover,
  downloadedSha256,
  fileOf,
  type Owner,
  pdf,
  putSigned,
  type Site,
  settingsFromEnvironment,
  settled,
  sha256Base64,
  signIn,
} from './client';

/**
 * The smoke suite: what an operator runs after `cdk deploy` (`DOCDROP_URL=... npm run
 * test:live`) and what `npm test` runs against the local system. Black-box: the public API,
 * Cognito's public API and the presigned URLs, nothing else. Everything it makes is noted and
 * removed in afterAll, and a leftover fails the run.
 */

const MiB = 1024 * 1024;
let site: Site;
let owner: Owner;
let other: Owner;
let created: Created;

const settings = settingsFromEnvironment();

beforeAll(async () => {
  site = await discover(settings.url);
  [owner, other] = await Promise.all([signIn(site, settings.owner), signIn(site, settings.otherOwner)]);
  created = new Created(site);
  await created.noteUsage(owner);
  await created.noteUsage(other);
});

afterAll(async () => {
  if (!created) return;
  expect(await created.removeAll(), 'left on the stack after clean-up').toEqual([]);
});

function expectRefusal(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(typeof answer.body.error.message).toBe('string');
  expect(answer.body.error.message.length).toBeGreaterThan(0);
}

async function newLink(maxUploads = 1): Promise<{ linkId: string; token: string }> {
  const link = await call(site, 'POST', '/api/links', {
    token: owner.idToken,
    // The shortest life a link may have: should clean-up itself fail, the link dies within the hour.
    body: { label: `smoke ${randomUUID()}`, expiresInHours: 1, maxUploads },
  });
  expect(link.status).toBe(201);
  created.link(owner, link.body.linkId);
  return link.body;
}

async function presignAsOwner(bytes: Uint8Array, extra: Record<string, unknown> = {}) {
  // A name of its own: the owner's drive numbers a second "smoke.pdf" as "smoke (1).pdf".
  const fileName = `smoke ${randomUUID()}.pdf`;
  const presign = await call(site, 'POST', '/api/uploads', {
    token: owner.idToken,
    body: { ...describePdf(fileName, bytes), ...extra },
  });
  expect(presign.status).toBe(201);
  created.upload(owner, presign.body.uploadId, (extra.folderId as string | undefined) ?? 'root');
  return { ...(presign.body as { uploadId: string; url: string; headers: Record<string, string> }), fileName };
}

/** A client as the contract asks: the same request again after a 503 (`Retry-After`) or a 409 `upload_being_signed`. */
async function presignThroughLink(token: string, body: unknown): Promise<Answer> {
  const giveUpAt = Date.now() + 30_000;
  for (;;) {
    const answer = await call(site, 'POST', '/api/drop/uploads', { uploadToken: token, body });
    const retry =
      answer.status === 503 || (answer.status === 409 && answer.body?.error?.code === 'upload_being_signed');
    if (!retry || Date.now() > giveUpAt) return answer;
    const seconds = Number(answer.headers.get('retry-after') ?? 1);
    await new Promise((resolve) => setTimeout(resolve, Math.min(5, seconds) * 1000));
  }
}

describe('smoke: a docdrop deployment, from outside', () => {
  it('answers health without a token', async () => {
    const health = await call(site, 'GET', '/api/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('takes an owner upload into a folder end to end: presign, PUT, confirm, clean, the same bytes back', async () => {
    // prepare
    const folder = await call(site, 'POST', '/api/folders', {
      token: owner.idToken,
      body: { name: `smoke ${randomUUID()}` },
    });
    expect(folder.status).toBe(201);
    const folderId = created.folder(owner, folder.body.folderId);
    const bytes = pdf();

    // act
    const upload = await presignAsOwner(bytes, { folderId });
    expect((await putSigned(upload, bytes)).status).toBe(200);
    const confirm = await call(site, 'POST', `/api/uploads/${upload.uploadId}/confirm`, { token: owner.idToken });

    // assess
    expect(confirm.status).toBe(200);
    expect(['pending', 'clean']).toContain(confirm.body.status);
    const file = await settled(site, owner, upload.uploadId, folderId);
    expect(file).toMatchObject({
      name: upload.fileName,
      status: 'clean',
      size: bytes.length,
      folderId,
      sha256: sha256Base64(bytes),
    });
    expect(await downloadedSha256(site, owner, upload.uploadId)).toBe(sha256Base64(bytes));
  });

  it('takes a client upload through a link end to end, and the owner sees it clean', async () => {
    // prepare
    const link = await newLink(1);
    const bytes = pdf();

    // act
    const described = await call(site, 'GET', '/api/drop', { uploadToken: link.token });
    expect(described).toMatchObject({ status: 200, body: { uploadsLeft: 1 } });
    const presign = await presignThroughLink(link.token, describePdf('from a client.pdf', bytes));
    expect(presign.status).toBe(201);
    created.upload(owner, presign.body.uploadId);
    expect((await putSigned(presign.body, bytes)).status).toBe(200);
    const confirm = await call(site, 'POST', `/api/drop/uploads/${presign.body.uploadId}/confirm`, {
      uploadToken: link.token,
    });

    // assess
    expect(confirm.status).toBe(200);
    const file = await settled(site, owner, presign.body.uploadId);
    expect(file).toMatchObject({ status: 'clean', linkId: link.linkId, name: 'from a client.pdf', size: bytes.length });
    expect(await downloadedSha256(site, owner, presign.body.uploadId)).toBe(sha256Base64(bytes));
    const spent = await call(site, 'GET', '/api/drop', { uploadToken: link.token });
    expectRefusal(spent, 410, 'link_used_up');
  });

  it('takes a small upload in two parts end to end, checked part by part and as a whole', async () => {
    // prepare: one byte past the planned 8 MiB part, so exactly two parts (the last may be under
    // 5 MiB). Plain text, random yet well-formed: whatever a stack checks in a PDF, a text passes.
    const bytes = new TextEncoder().encode(
      randomBytes(6 * MiB + 1)
        .toString('base64')
        .slice(0, 8 * MiB + 1),
    );
    const start = await call(site, 'POST', '/api/uploads', {
      token: owner.idToken,
      body: {
        fileName: `two parts ${randomUUID()}.txt`,
        contentType: 'text/plain',
        size: bytes.length,
        multipart: true,
      },
    });
    expect(start.status).toBe(201);
    const upload = start.body as { uploadId: string; partSize: number; partCount: number };
    created.upload(owner, upload.uploadId);
    expect(upload.partCount).toBe(2);
    expect(upload.partSize).toBeGreaterThanOrEqual(5 * MiB);
    const parts = [bytes.subarray(0, upload.partSize), bytes.subarray(upload.partSize)];

    // act
    const signed = await call(site, 'POST', `/api/uploads/${upload.uploadId}/parts`, {
      token: owner.idToken,
      body: {
        parts: parts.map((part, index) => ({ partNumber: index + 1, size: part.length, sha256: sha256Base64(part) })),
      },
    });
    expect(signed.status).toBe(200);
    const sent = await Promise.all(
      signed.body.parts.map((part: { partNumber: number; url: string; headers: Record<string, string> }) =>
        putSigned(part, parts[part.partNumber - 1] as Uint8Array),
      ),
    );
    const complete = await call(site, 'POST', `/api/uploads/${upload.uploadId}/complete`, { token: owner.idToken });

    // assess
    expect(sent.map((put) => put.status)).toEqual([200, 200]);
    expect(complete.status).toBe(200);
    const composite = createHash('sha256');
    for (const part of parts) composite.update(createHash('sha256').update(part).digest());
    expect(complete.body.partsSha256).toBe(`${composite.digest('base64')}-2`);
    expect(await settled(site, owner, upload.uploadId)).toMatchObject({ status: 'clean', size: bytes.length });
    expect(await downloadedSha256(site, owner, upload.uploadId)).toBe(sha256Base64(bytes));
  });

  it('gives a one-use link to exactly one of 10 clients presigning at once; the others learn 410 link_used_up', async () => {
    // prepare
    const link = await newLink(1);

    // act: ten different files at once
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => presignThroughLink(link.token, describePdf(`racer ${n}.pdf`, pdf()))),
    );

    // assess
    const winners = answers.filter((answer) => answer.status === 201);
    for (const winner of winners) created.upload(owner, winner.body.uploadId);
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status !== 201).map((a) => `${a.status} ${a.body?.error?.code}`)).toEqual(
      Array(9).fill('410 link_used_up'),
    );
  });

  describe('storage refuses a presigned URL used otherwise than signed', () => {
    // One upload for all of them: after every tampered PUT is refused, the genuine one still
    // succeeds, and its signed If-None-Match: * proves none of them stored anything at its key.
    let upload: { uploadId: string; url: string; headers: Record<string, string> };
    let bytes: Uint8Array;
    beforeAll(async () => {
      bytes = pdf();
      upload = await presignAsOwner(bytes);
    });

    const retargeted = (url: string, key: string) => {
      const tampered = new URL(url);
      tampered.pathname = tampered.pathname.replace(/[^/]+$/, key);
      return tampered.toString();
    };

    it.each([
      ['pointed at another key', () => ({ url: retargeted(upload.url, `0${randomBytes(12).toString('base64url')}`) })],
      ['sent with another Content-Type', () => ({ override: { 'content-type': 'text/html' } })],
      ['sent with another checksum header', () => ({ override: { 'x-amz-checksum-sha256': sha256Base64(pdf()) } })],
      ['sent without If-None-Match (to overwrite)', () => ({ drop: 'if-none-match' })],
      ['sent with a longer body than signed', () => ({ body: Uint8Array.from([...bytes, 0x0a]) })],
      [
        // The API's URLs live 15 minutes and their lifetime is not settable, so real expiry is
        // not waited for here (the integration suite signs a 1 s URL); an edited lifetime is refused.
        'with its lifetime edited to 1 second',
        () => {
          const tampered = new URL(upload.url);
          tampered.searchParams.set('X-Amz-Expires', '1');
          return { url: tampered.toString() };
        },
      ],
    ] as const)('refuses the URL %s (403)', async (_case, tamper) => {
      const change: { url?: string; override?: Record<string, string>; drop?: string; body?: Uint8Array } = tamper();
      const headers = Object.fromEntries(
        Object.entries({ ...upload.headers, ...change.override }).filter(([name]) => name !== change.drop),
      );
      const put = await putSigned({ url: change.url ?? upload.url, headers }, change.body ?? bytes);
      expect(put.status).toBe(403);
      expect(['SignatureDoesNotMatch', 'AccessDenied']).toContain(put.code);
    });

    it('refuses other bytes of the signed length (400 BadDigest)', async () => {
      const other = Uint8Array.from(bytes);
      other[other.length - 1] = (other[other.length - 1] as number) ^ 0xff;
      expect(await putSigned(upload, other)).toEqual({ status: 400, code: 'BadDigest' });
    });

    it('still takes the upload exactly as signed, which is then released', async () => {
      expect((await putSigned(upload, bytes)).status).toBe(200);
      expect(await settled(site, owner, upload.uploadId)).toMatchObject({ status: 'clean' });
    });
  });

  describe('tenancy: another owner is told 404, as for what does not exist', () => {
    let fileId: string;
    let fileName: string;
    let linkId: string;
    beforeAll(async () => {
      const bytes = pdf();
      const upload = await presignAsOwner(bytes);
      expect((await putSigned(upload, bytes)).status).toBe(200);
      fileId = upload.uploadId;
      fileName = upload.fileName;
      expect(await settled(site, owner, fileId)).toMatchObject({ status: 'clean' });
      linkId = (await newLink(1)).linkId;
    });

    it.each([
      ['download', 'GET', () => `/api/files/${fileId}/download`, undefined],
      ['rename', 'PATCH', () => `/api/files/${fileId}`, { name: 'taken.pdf' }],
      ['delete', 'DELETE', () => `/api/files/${fileId}`, undefined],
      ['link revoke', 'DELETE', () => `/api/links/${linkId}`, undefined],
    ] as const)('on %s of the first owner’s', async (_case, method, path, body) => {
      const answer = await call(site, method, path(), { token: other.idToken, ...(body ? { body } : {}) });
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toMatch(/_not_found$/);
    });

    it('leaves the first owner’s file and link as they were', async () => {
      expect(await fileOf(site, owner, fileId)).toMatchObject({ name: fileName, status: 'clean' });
      const links = await call(site, 'GET', '/api/links?limit=100', { token: owner.idToken });
      expect(links.body.items.find((link: { linkId: string }) => link.linkId === linkId)).toMatchObject({
        state: 'active',
      });
      const theirs = await call(site, 'GET', '/api/files?limit=100', { token: other.idToken });
      expect(theirs.body.items.map((item: { fileId: string }) => item.fileId)).not.toContain(fileId);
    });
  });

  describe('bad input gets { error: { code, message } } with the true reason', () => {
    // `owner`: the request carries the first owner's token.
    it.each([
      ['no token', 'GET', '/api/files', {}, false, 401, 'missing_token'],
      ['a token that is not one', 'GET', '/api/files', { token: 'not-a-jwt' }, false, 401, 'invalid_token'],
      ['a body that is not JSON', 'POST', '/api/links', { rawBody: '{"label":' }, true, 400, 'invalid_json'],
      ['a link without its label', 'POST', '/api/links', { body: { maxUploads: 1 } }, true, 400, 'invalid_body'],
      ['an unknown field', 'POST', '/api/links', { body: { label: 'x', admin: true } }, true, 400, 'invalid_body'],
      [
        'an empty file',
        'POST',
        '/api/uploads',
        { body: { ...describePdf('e.pdf', pdf()), size: 0 } },
        true,
        400,
        'invalid_body',
      ],
    ] as const)('refuses %s', async (_case, method, path, options, asOwner, status, code) => {
      const answer = await call(site, method, path, asOwner ? { ...options, token: owner.idToken } : options);
      expectRefusal(answer, status, code);
    });

    it('refuses an upload token that is no link’s (401)', async () => {
      const answer = await call(site, 'GET', '/api/drop', { uploadToken: randomBytes(32).toString('base64url') });
      expect(answer.status).toBe(401);
      expect(answer.body.error.message.length).toBeGreaterThan(0);
    });
  });
});
