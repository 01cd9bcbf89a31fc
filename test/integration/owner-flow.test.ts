import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { api, describeUpload, newOwner, objectExists, PDF, putToS3, system, waitForSettled } from '../support/harness';

describe('owner flow', () => {
  it('uploads, confirms, lists, downloads the exact bytes and deletes a file', async () => {
    // prepare
    const owner = await newOwner();

    // act: presign, PUT, confirm
    const presign = await api('POST', '/api/uploads', {
      token: owner.idToken,
      body: describeUpload('Quarterly report.pdf', 'application/pdf', PDF),
    });
    expect(presign.status).toBe(201);
    expect(presign.body).toMatchObject({
      method: 'PUT',
      headers: { 'content-type': 'application/pdf', 'if-none-match': '*' },
    });
    const put = await putToS3(presign.body, PDF);
    expect(put.status).toBe(200);
    const confirm = await api('POST', `/api/uploads/${presign.body.uploadId}/confirm`, { token: owner.accessToken });

    // assess
    expect(confirm.status).toBe(200);
    expect(confirm.body.fileId).toBe(presign.body.uploadId);
    expect(['pending', 'clean']).toContain(confirm.body.status);
    const file = await waitForSettled(owner, presign.body.uploadId);
    expect(file).toMatchObject({
      name: 'Quarterly report.pdf',
      size: PDF.length,
      contentType: 'application/pdf',
      status: 'clean',
    });
    expect(file.linkId).toBeUndefined();

    const download = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
    expect(download.status).toBe(200);
    const fetched = await fetch(download.body.url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-disposition')).toContain('attachment');
    expect(fetched.headers.get('content-disposition')).toContain('Quarterly report.pdf');
    expect(new Uint8Array(await fetched.arrayBuffer())).toEqual(PDF);

    const removed = await api('DELETE', `/api/files/${file.fileId}`, { token: owner.idToken });
    expect(removed.status).toBe(204);
    expect(await objectExists(`files/${owner.sub}/${file.fileId}`)).toBe(false);
    expect(await objectExists(`incoming/${owner.sub}/${file.fileId}`)).toBe(false);
    const after = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
    expect(after.status).toBe(404);
  });

  it('answers health without a token', async () => {
    const health = await api('GET', '/api/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it("serves the client configuration, with the API on the page's own origin", async () => {
    const response = await fetch(`${system.apiUrl}/config.json`);
    expect(await response.json()).toEqual({
      apiUrl: '',
      region: system.region,
      userPoolId: system.userPoolId,
      userPoolClientId: system.userPoolClientId,
      cognitoEndpoint: system.cognitoEndpoint,
      maxFileBytes: limits.maxFileBytes,
      // REQUIRE_MFA is off unless set, as docdrop:requireMfa in cdk.json.
      requireMfa: false,
    });
  });
});
