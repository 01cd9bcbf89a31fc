/**
 * The README walk-through as a script: against a running `npm start`, signs in the demo
 * owner, creates an upload link, uploads through it as a client would, and follows the file
 * to a download and a delete. Prints each step; exits non-zero on the first surprise.
 *
 *   npm run demo              (API at http://localhost:3000, or DOCDROP_URL)
 */
import { createHash } from 'node:crypto';
import { DEMO_OWNER, signIn } from '../local/owners';

const base = process.env.DOCDROP_URL ?? 'http://localhost:3000';

async function call(method: string, path: string, init: { token?: string; uploadToken?: string; body?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.uploadToken ? { 'x-upload-token': init.uploadToken } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return body;
}

const step = (text: string) => console.log(`\n== ${text}`);

async function main() {
  step('GET /config.json');
  const config = (await (await fetch(`${base}/config.json`)).json()) as Record<string, string>;
  console.log(config);

  step(`sign in as ${DEMO_OWNER.email} (Cognito USER_PASSWORD_AUTH)`);
  const { idToken: token } = await signIn(
    {
      cognitoEndpoint: config.cognitoEndpoint as string,
      region: config.region as string,
      userPoolId: config.userPoolId as string,
      userPoolClientId: config.userPoolClientId as string,
    },
    DEMO_OWNER,
  );
  console.log('got an ID token');

  step('POST /api/links (owner creates a one-time upload link)');
  const link = await call('POST', '/api/links', { token, body: { label: 'Demo: tax documents', maxUploads: 1 } });
  console.log({ ...link, token: '<shown once; not printed>' });

  step('GET /api/drop (the client sees what the link allows)');
  console.log(await call('GET', '/api/drop', { uploadToken: link.token }));

  const bytes = Buffer.from(`Hello from the docdrop demo at ${new Date().toISOString()}\n`);
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  step('POST /api/drop/uploads (presign one upload)');
  const upload = await call('POST', '/api/drop/uploads', {
    uploadToken: link.token,
    body: { fileName: 'notes.txt', contentType: 'text/plain', size: bytes.length, sha256 },
  });
  console.log({ uploadId: upload.uploadId, headers: upload.headers, expiresAt: upload.expiresAt });

  step('PUT the bytes straight to S3 with exactly the returned headers');
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
  console.log(`S3 answered ${put.status}`);
  if (!put.ok) throw new Error(await put.text());

  step(`POST /api/drop/uploads/${upload.uploadId}/confirm`);
  console.log(await call('POST', `/api/drop/uploads/${upload.uploadId}/confirm`, { uploadToken: link.token }));

  step('GET /api/files until the validator has released it');
  let file: { fileId: string; status: string } | undefined;
  for (let i = 0; i < 50; i++) {
    const list = await call('GET', '/api/files', { token });
    file = list.items.find((item: { fileId: string }) => item.fileId === upload.uploadId);
    if (file?.status !== 'pending') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(file);
  if (file?.status !== 'clean') throw new Error(`expected clean, got ${file?.status}`);

  step(`GET /api/files/${upload.uploadId}/download`);
  const download = await call('GET', `/api/files/${upload.uploadId}/download`, { token });
  const got = Buffer.from(await (await fetch(download.url)).arrayBuffer());
  console.log(`downloaded ${got.length} bytes, identical: ${got.equals(bytes)}`);
  if (!got.equals(bytes)) throw new Error('downloaded bytes differ');

  step('POST /api/drop/uploads again: the one-time link is used up');
  const again = await fetch(`${base}/api/drop/uploads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-upload-token': link.token },
    body: JSON.stringify({ fileName: 'again.txt', contentType: 'text/plain', size: bytes.length, sha256 }),
  });
  console.log(again.status, await again.text());

  step(`DELETE /api/files/${upload.uploadId}`);
  await call('DELETE', `/api/files/${upload.uploadId}`, { token });
  console.log('deleted');
  console.log('\nThe walk-through worked.');
}

main().catch((error) => {
  console.error(`\ndemo failed: ${error.message}`);
  process.exit(1);
});
