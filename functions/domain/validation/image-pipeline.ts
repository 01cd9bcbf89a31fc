import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import type { ImageType } from '#contracts/limits';

export const THUMBNAIL_SIZE = 400;

export interface ImageLimits {
  /** Width x height (x frames) above which an image is refused before decoding. */
  readonly maxPixels: number;
  /** Stored size above which an image is refused unread (default `limits.maxImageBytes`): it is rebuilt whole in memory. */
  readonly maxBytes?: number;
}

export interface CleanedImage {
  readonly image: Buffer;
  readonly thumbnail: Buffer;
  readonly width: number;
  readonly height: number;
}

export class ImageRejected extends Error {
  constructor(
    readonly code: 'too_many_pixels' | 'corrupt_image',
    reason: string,
  ) {
    super(reason);
  }
}

/**
 * Reads the image header only (sharp's metadata() does not decode pixels): enough to refuse a
 * small file that claims an enormous canvas before any of it is downloaded or decoded.
 * Does nothing when the header is not within these bytes (a JPEG with a large EXIF block):
 * the full decode enforces the same limit.
 */
export async function checkImageHeader(head: Uint8Array, limits: ImageLimits): Promise<void> {
  let metadata: Metadata;
  try {
    // Header only, so no pixel limit here: sharp's default (268 MP) would otherwise throw for
    // exactly the claims this check exists to name.
    metadata = await sharp(head, { limitInputPixels: false }).metadata();
  } catch {
    return;
  }
  if (metadata.width && metadata.height)
    refuseIfTooLarge(metadata.width, metadata.height * (metadata.pages ?? 1), limits);
}

function refuseIfTooLarge(width: number, height: number, limits: ImageLimits): void {
  if (width * height > limits.maxPixels) {
    throw new ImageRejected(
      'too_many_pixels',
      `the image is ${width} x ${height} pixels; the limit is ${Math.round(limits.maxPixels / 1e6)} megapixels`,
    );
  }
}

const ENCODERS: Record<ImageType, (image: Sharp) => Sharp> = {
  'image/jpeg': (image) => image.jpeg({ quality: 90 }),
  'image/png': (image) => image.png({ compressionLevel: 6 }),
  'image/webp': (image) => image.webp({ quality: 90 }),
  'image/gif': (image) => image.gif(),
  'image/avif': (image) => image.avif({ quality: 60 }),
};

/**
 * Decodes the image once at full size, upright (EXIF orientation applied) and in sRGB, and
 * encodes the released image in its own format with no metadata at all (EXIF,
 * GPS, XMP, comments, ICC) and a 400x400 WebP thumbnail. Whatever followed the image data
 * in the file (a ZIP glued to a JPEG) is not carried over. Animated images keep their frames.
 */
export async function cleanImage(input: Uint8Array, type: ImageType, limits: ImageLimits): Promise<CleanedImage> {
  const options: SharpOptions = { limitInputPixels: limits.maxPixels, failOn: 'truncated' };
  try {
    const header = await sharp(input, { limitInputPixels: false, failOn: 'truncated' }).metadata();
    const pages = header.pages ?? 1;
    refuseIfTooLarge(header.width ?? 0, (header.height ?? 0) * pages, limits);
    if (pages > 1) return await cleanAnimated(input, type, options);

    if (SHRINK_ON_LOAD.has(type)) {
      // JPEG and WebP can decode at a fraction of their size: the thumbnail costs a small
      // partial decode, and the released image is one full decode and one encode.
      const [encoded, thumbnail] = await Promise.all([
        ENCODERS[type](sharp(input, options).autoOrient().toColourspace('srgb')).toBuffer({ resolveWithObject: true }),
        thumbnailOf(sharp(input, options)),
      ]);
      return { image: encoded.data, thumbnail, width: encoded.info.width, height: encoded.info.height };
    }
    // Other formats decode at full size only: decode once to pixels, encode both from them.
    const { data, info } = await sharp(input, options)
      .autoOrient()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
    const [image, thumbnail] = await Promise.all([
      ENCODERS[type](sharp(data, raw)).toBuffer(),
      thumbnailOf(sharp(data, raw)),
    ]);
    return { image, thumbnail, width: info.width, height: info.height };
  } catch (error) {
    if (error instanceof ImageRejected) throw error;
    const message = (error as Error).message ?? '';
    if (/pixel limit/i.test(message))
      throw new ImageRejected('too_many_pixels', 'the image has more pixels than allowed');
    throw new ImageRejected('corrupt_image', 'the image is damaged or truncated and cannot be decoded');
  }
}

const SHRINK_ON_LOAD = new Set<ImageType>(['image/jpeg', 'image/webp']);

const thumbnailOf = (image: Sharp): Promise<Buffer> =>
  image.autoOrient().resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'cover' }).webp({ quality: 80 }).toBuffer();

/**
 * A profile picture: 400x400, cover-cropped, upright, WebP, no metadata. Only the first frame
 * of an animation is used; shrink-on-load keeps the decode small for JPEG and WebP.
 */
export async function makeProfilePicture(input: Uint8Array, limits: ImageLimits): Promise<Buffer> {
  const options: SharpOptions = { limitInputPixels: limits.maxPixels, failOn: 'truncated', pages: 1 };
  try {
    const header = await sharp(input, { limitInputPixels: false, failOn: 'truncated' }).metadata();
    refuseIfTooLarge(header.width ?? 0, header.height ?? 0, limits);
    return await thumbnailOf(sharp(input, options));
  } catch (error) {
    if (error instanceof ImageRejected) throw error;
    throw new ImageRejected('corrupt_image', 'the image is damaged or truncated and cannot be decoded');
  }
}

/** Frames are re-encoded as a whole (metadata dropped); the thumbnail comes from the first frame. */
async function cleanAnimated(input: Uint8Array, type: ImageType, options: SharpOptions): Promise<CleanedImage> {
  const [encoded, thumbnail] = await Promise.all([
    ENCODERS[type](sharp(input, { ...options, animated: true })).toBuffer({ resolveWithObject: true }),
    thumbnailOf(sharp(input, { ...options, pages: 1 })),
  ]);
  const pageHeight = encoded.info.pageHeight ?? encoded.info.height;
  return { image: encoded.data, thumbnail, width: encoded.info.width, height: pageHeight };
}
