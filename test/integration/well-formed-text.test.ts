import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { newFolder, uploadInto } from '../support/drive';
import { api, db, describeUpload, newOwner, type Owner, PDF, tableName } from '../support/harness';

/**
 * JSON can carry a lone surrogate (`"\ud83d"`): valid JSON, but no well-formed Unicode, so
 * no UTF-8 store or header can hold it. Every text a caller sends is refused with 400 when it
 * holds one; a record stored before that rule still lists and downloads.
 */

// A lone high, a lone low, and a pair in the wrong order: all three are ill-formed.
const ILL_FORMED = ['invoice\ud83d.pdf', 'invoice\udc00.pdf', 'invoice\udc00\ud83d.pdf'] as const;
// The same emoji as a proper pair is well-formed, and must be taken: the refusal is not of non-ASCII.
const WELL_FORMED = 'invoice\ud83e\uddfe.pdf';

let owner: Owner;
let linkToken: string;
let folderId: string;
let fileId: string;

beforeAll(async () => {
  owner = await newOwner();
  const link = await api('POST', '/api/links', { token: owner.idToken, body: { label: 'Receipts', maxUploads: 5 } });
  expect(link.status).toBe(201);
  linkToken = link.body.token;
  folderId = await newFolder(owner, 'Receipts');
  fileId = (await uploadInto(owner, 'receipt.pdf')).fileId;
});

/** Each route that takes text, with the text put where a caller would put it. */
const TEXT_INPUTS: readonly [string, (text: string) => Promise<{ status: number; body: any }>][] = [
  [
    'an owner upload’s file name',
    (text) => api('POST', '/api/uploads', { token: owner.idToken, body: describeUpload(text, 'application/pdf', PDF) }),
  ],
  [
    'an anonymous link upload’s file name',
    (text) =>
      api('POST', '/api/drop/uploads', { uploadToken: linkToken, body: describeUpload(text, 'application/pdf', PDF) }),
  ],
  ['a link’s label', (text) => api('POST', '/api/links', { token: owner.idToken, body: { label: text } })],
  ['a new folder’s name', (text) => api('POST', '/api/folders', { token: owner.idToken, body: { name: text } })],
  [
    'a folder’s new name',
    (text) => api('PATCH', `/api/folders/${folderId}`, { token: owner.idToken, body: { name: text } }),
  ],
  ['a file’s new name', (text) => api('PATCH', `/api/files/${fileId}`, { token: owner.idToken, body: { name: text } })],
  [
    'a share’s e-mail',
    (text) =>
      api('POST', '/api/shares', {
        token: owner.idToken,
        body: { email: `${text.replace('.pdf', '')}@example.test`, role: 'view', folderId },
      }),
  ],
];

describe('well-formed text', () => {
  describe.each(TEXT_INPUTS)('%s', (_input, send) => {
    it.each(ILL_FORMED)('refuses %j with 400, saying why', async (text) => {
      // act
      const response = await send(text);

      // assess
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.error.code).toBe('invalid_body');
      expect(response.body.error.message).toContain('must be well-formed Unicode');
    });
  });

  it.each(TEXT_INPUTS.filter(([input]) => !input.includes('e-mail')))(
    'takes %s written with a proper surrogate pair',
    async (input, send) => {
      // act: each under its own name, so none clashes with another in the same folder
      const response = await send(`${input} ${WELL_FORMED}`);

      // assess
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    },
  );

  it('lists and downloads a file whose stored name holds a lone surrogate', async () => {
    // prepare: a record stored before text had to be well-formed, written straight into the table
    const stored = await uploadInto(owner, 'stored.pdf', { bytes: PDF });
    await db.send(
      new UpdateCommand({
        TableName: tableName('FILES_TABLE'),
        Key: { ownerId: owner.sub, fileId: stored.fileId },
        UpdateExpression: 'SET #name = :name',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':name': 'invoice\ud83d.pdf' },
      }),
    );

    // act
    const list = await api('GET', '/api/files', { token: owner.idToken });
    const download = await api('GET', `/api/files/${stored.fileId}/download`, { token: owner.idToken });
    const fetched = await fetch(download.body.url);

    // assess
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { fileId: string }) => item.fileId)).toContain(stored.fileId);
    expect(download.status, JSON.stringify(download.body)).toBe(200);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toBe(
      `attachment; filename="invoice_.pdf"; filename*=UTF-8''invoice%EF%BF%BD.pdf`,
    );
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(PDF);
  });
});
