import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { api, describeUpload, newOwner, type Owner, PDF, putToS3, TEXT } from '../support/harness';

/** An owner's profile photo: any image up to 5 MB in, a 400x400 WebP picture out. */

async function photo(width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 256;
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg()
      .withExif({ IFD0: { Copyright: 'private', Make: 'SecretCam' } })
      .toBuffer(),
  );
}

async function uploadProfilePhoto(owner: Owner, bytes: Uint8Array, contentType = 'image/jpeg') {
  const presign = await api('PUT', '/api/profile/photo', {
    token: owner.idToken,
    body: describeUpload('me.jpg', contentType, bytes),
  });
  expect(presign.status).toBe(201);
  expect((await putToS3(presign.body, bytes)).status).toBe(200);
  return presign.body.uploadId as string;
}

async function waitForPhoto(owner: Owner) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await api('GET', '/api/profile/photo', { token: owner.idToken });
    if (answer.status !== 404 || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('profile photo', () => {
  it('turns an uploaded image into a 400x400 WebP picture without metadata', async () => {
    // prepare
    const owner = await newOwner();
    const input = await photo(900, 600);
    expect((await sharp(input).metadata()).exif).toBeDefined();

    // act
    await uploadProfilePhoto(owner, input);
    const answer = await waitForPhoto(owner);

    // assess
    expect(answer.status).toBe(200);
    const picture = Buffer.from(await (await fetch(answer.body.url)).arrayBuffer());
    const metadata = await sharp(picture).metadata();
    expect(metadata).toMatchObject({ format: 'webp', width: 400, height: 400 });
    expect(metadata.exif).toBeUndefined();
    expect(picture.includes('SecretCam')).toBe(false);
  });

  it('answers 404 before any photo was uploaded', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const answer = await api('GET', '/api/profile/photo', { token: owner.idToken });

    // assess
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('no_profile_photo');
  });

  it('keeps the newest photo when a second one is uploaded', async () => {
    // prepare
    const owner = await newOwner();
    await uploadProfilePhoto(owner, await photo(500, 500));
    await waitForPhoto(owner);

    // act
    const second = await uploadProfilePhoto(owner, await photo(800, 400));
    const deadline = Date.now() + 10_000;
    let url = '';
    while (Date.now() < deadline) {
      url = (await api('GET', '/api/profile/photo', { token: owner.idToken })).body.url;
      if (url.includes(second)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // assess
    expect(url).toContain(second);
  });

  it('is not listed among the owner files', async () => {
    // prepare
    const owner = await newOwner();
    await uploadProfilePhoto(owner, await photo(300, 300));
    await waitForPhoto(owner);

    // act
    const list = await api('GET', '/api/files', { token: owner.idToken });

    // assess
    expect(list.body.items).toEqual([]);
  });

  it('refuses a photo over 5 MB and a file that is not an image before anything is signed', async () => {
    // prepare
    const owner = await newOwner();
    const big = {
      fileName: 'big.jpg',
      contentType: 'image/jpeg',
      size: 5 * 1024 * 1024 + 1,
      sha256: describeUpload('x', 'image/jpeg', TEXT('x')).sha256,
    };

    // act
    const tooBig = await api('PUT', '/api/profile/photo', { token: owner.idToken, body: big });
    const notImage = await api('PUT', '/api/profile/photo', {
      token: owner.idToken,
      body: describeUpload('cv.pdf', 'application/pdf', PDF),
    });

    // assess
    expect(tooBig.status).toBe(413);
    expect(notImage.status).toBe(415);
  });

  it('rejects a non-image disguised as a JPEG and keeps no picture', async () => {
    // prepare
    const owner = await newOwner();

    // act: follow the upload until the validator has decided
    const uploadId = await uploadProfilePhoto(owner, PDF, 'image/jpeg');
    await expect
      .poll(async () => (await api('POST', `/api/uploads/${uploadId}/confirm`, { token: owner.idToken })).body.status, {
        timeout: 10_000,
      })
      .toBe('rejected');
    const answer = await api('GET', '/api/profile/photo', { token: owner.idToken });

    // assess
    expect(answer.status).toBe(404);
  });

  it('needs a signed-in owner', async () => {
    // act
    const answer = await api('GET', '/api/profile/photo');

    // assess
    expect(answer.status).toBe(401);
  });
});
