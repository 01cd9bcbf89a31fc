/**
 * Bucket layout. Keys are chosen by the server from ids, never from a file name:
 * clients may only PUT under `incoming/`; the validator moves what passes to `files/` (and
 * image previews to `thumbs/`), the only places reads are signed for.
 */
export const bucketLayout = {
  incomingPrefix: 'incoming/',
  filesPrefix: 'files/',
  /** 400x400 WebP previews of released images, written by the validator. */
  thumbsPrefix: 'thumbs/',
  /** Owners' 400x400 profile pictures, written by the validator. */
  profilesPrefix: 'profiles/',
  /**
   * Uploads the malware scan found a threat in, or could not decide on (`held`), moved out of
   * `incoming/` so its 2-day expiry does not take them: kept `quarantineDays` (CDK context), then
   * removed by a lifecycle rule. Nothing signs a read here; a held file is released from it.
   */
  quarantinePrefix: 'quarantine/',
  /** Object tag the validator sets on released objects; the cloud bucket policy denies reads without it. */
  releaseTag: { key: 'docdrop-status', value: 'clean' },
} as const;

export const incomingKey = (ownerId: string, fileId: string): string =>
  `${bucketLayout.incomingPrefix}${ownerId}/${fileId}`;

export const fileKey = (ownerId: string, fileId: string): string => `${bucketLayout.filesPrefix}${ownerId}/${fileId}`;

export const quarantineKey = (ownerId: string, fileId: string): string =>
  `${bucketLayout.quarantinePrefix}${ownerId}/${fileId}`;

export const thumbKey = (ownerId: string, fileId: string): string =>
  `${bucketLayout.thumbsPrefix}${ownerId}/${fileId}.webp`;

export const profilePhotoKey = (ownerId: string, fileId: string): string =>
  `${bucketLayout.profilesPrefix}${ownerId}/${fileId}.webp`;

const ID = '[A-Za-z0-9_-]{1,64}';
const INCOMING_KEY = new RegExp(`^${bucketLayout.incomingPrefix}(${ID})/(${ID})$`);

/** The owner and file an incoming key belongs to, or undefined for a key docdrop never hands out. */
export function parseIncomingKey(key: string): { ownerId: string; fileId: string } | undefined {
  const match = INCOMING_KEY.exec(key);
  return match ? { ownerId: match[1] as string, fileId: match[2] as string } : undefined;
}

/**
 * Browsers PUT straight to the bucket: these are the headers the presigned contract makes them
 * send. A single PUT sends all three; a part's PUT only `x-amz-checksum-sha256` (its signed
 * `content-length` is the body's, which a browser sets itself). `ETag` is exposed because a
 * multipart client (Uppy) reads each part's; completion itself uses what S3 lists.
 */
export const bucketCors = {
  allowedMethods: ['PUT', 'GET', 'HEAD'] as const,
  allowedHeaders: ['content-type', 'x-amz-checksum-sha256', 'if-none-match'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 3000,
};
