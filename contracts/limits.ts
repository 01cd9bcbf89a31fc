/**
 * Product limits: one place, read by the handlers (through their config), the local
 * system and the CDK stack.
 */
export const MiB = 1024 * 1024;

/** Types docdrop can recognise by content. The validator releases nothing else. */
export const SUPPORTED_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'text/plain',
] as const;

/** Image types the validator re-encodes (metadata stripped, thumbnail made); everything else is released as uploaded. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export const isImageType = (type: string): type is ImageType => (IMAGE_TYPES as readonly string[]).includes(type);

/** Types refused with a reason of their own, rather than only "not allowed". */
export const REFUSED_TYPES: Readonly<Record<string, string>> = {
  'image/svg+xml': 'SVG images can carry script, so docdrop does not accept them; send a PNG or PDF instead.',
  'image/heic':
    'HEIC photos cannot be decoded here (no HEVC decoder in the image library); export the photo as JPEG first.',
  'image/heif':
    'HEIF photos cannot be decoded here (no HEVC decoder in the image library); export the photo as JPEG first.',
};
export type SupportedType = (typeof SUPPORTED_TYPES)[number];

/** Names people know for the supported types: what the portal, the drop page and the validator's reasons say. */
export const TYPE_NAMES: Readonly<Record<SupportedType, string>> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG image',
  'image/png': 'PNG image',
  'image/webp': 'WebP image',
  'image/gif': 'GIF image',
  'image/avif': 'AVIF image',
  'text/plain': 'plain text file',
};

export const GiB = 1024 * MiB;

/** What S3 itself allows: one PUT carries at most 5 GiB; larger objects come in parts. */
export const s3Limits = {
  maxPutBytes: 5 * GiB,
  minPartBytes: 5 * MiB,
  maxPartBytes: 5 * GiB,
  maxParts: 10_000,
  /** S3's largest object: 10,000 parts of 5 GiB (48.8 TiB). */
  maxObjectBytes: 10_000 * 5 * GiB,
  /** ListParts answers at most this many parts a page. */
  listPartsPage: 1000,
} as const;

/**
 * Multipart uploads: the server plans the parts (`planParts`), signs each part's URL for its
 * exact length and SHA-256, and completes with the parts S3 holds.
 */
export const multipart = {
  /** The part size planned for a file, unless a larger one is needed to stay within 10,000 parts. */
  partBytes: 8 * MiB,
  /** The portal, the drop page, the Uppy adapter and `npm run send` use multipart above this size. */
  thresholdBytes: 32 * MiB,
  /** Part URLs signed in one call. */
  signBatchMax: 100,
  /** A multipart upload left open this long (never past its link's expiry) is aborted and what it held given back. */
  uploadSeconds: 24 * 3600,
  /**
   * A declared whole-file SHA-256 of a multipart upload is checked by the validator reading the
   * whole object (S3 checks each part's, and their composite): offered up to this size.
   */
  wholeFileDigestMaxBytes: 5 * GiB,
} as const;

export interface PartPlan {
  readonly partSize: number;
  readonly partCount: number;
}

/** The part size and count for a file of `size` bytes: `multipart.partBytes`, or whole MiB more when 10,000 parts would not hold it. */
export function planParts(size: number): PartPlan {
  const partSize = Math.max(multipart.partBytes, Math.ceil(size / s3Limits.maxParts / MiB) * MiB);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** The exact length of part `partNumber` (1-based) in a plan: every part is `partSize` but the last. */
export const plannedPartSize = (plan: PartPlan, size: number, partNumber: number): number =>
  partNumber < plan.partCount ? plan.partSize : size - (plan.partCount - 1) * plan.partSize;

export const limits = {
  /** Largest single file, unless the operator configures another (`MAX_FILE_BYTES`, up to S3's object limit). */
  maxFileBytes: 5 * GiB,
  maxFileBytesCeiling: s3Limits.maxObjectBytes,
  /** Images are decoded and rebuilt whole, in the validator's memory: a larger image is refused at signing. */
  maxImageBytes: 100 * MiB,
  /**
   * PDFs are parsed for active content whole, in the validator's memory (1 GiB), like images;
   * a larger one, or one whose object streams decode to more, or that takes longer, is "not
   * inspected" (its link's or owner's policy says what then: validation/pdf-gate.ts).
   */
  pdfInspection: { maxBytes: 100 * MiB, maxDecodedBytes: 256 * MiB, timeoutMs: 20_000 },
  /** Owner uploads: allowed types and size when no link narrows them. */
  ownerAllowedTypes: SUPPORTED_TYPES,
  link: {
    labelMaxChars: 100,
    expiresInHours: { min: 1, max: 168, default: 72 },
    maxUploads: { min: 1, max: 100, default: 1 },
    defaultMaxBytes: 25 * MiB,
    defaultAllowedTypes: ['application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'text/plain'] as SupportedType[],
    /** Link records stay visible to their owner this long after expiry, then TTL removes them. */
    keepAfterExpiryDays: 30,
  },
  /** Presigned PUT lifetime: at most this, and never past the link's own expiry. */
  uploadUrlSeconds: 15 * 60,
  downloadUrlSeconds: 5 * 60,
  /** JSON bodies on the API are small; anything larger is refused before parsing. */
  requestBodyMaxBytes: 16 * 1024,
  fileNameMaxChars: 255,
  /** Folders nest at most this deep (a move checks every ancestor of its destination in one transaction). */
  folderMaxDepth: 20,
  listPage: { default: 50, max: 100 },
  /** Records of uploads that never arrived are removed by TTL after this (the bucket's incoming area is swept on the same clock). */
  pendingRecordHours: 24,
  /** Rejected uploads stay listed with their reason this long. */
  rejectedRecordDays: 30,
  /** Bytes the validator reads to identify a type: file-type needs at most 4100, the text check 4 KiB. */
  sniffBytes: 4100,
  /** Profile photos: the upload may be at most this large; the picture is a square WebP of `profilePhotoPixels` a side. */
  profilePhotoMaxBytes: 5 * MiB,
  /** Images larger than this (width x height x frames) are refused before decoding (`MAX_IMAGE_PIXELS`). */
  maxImagePixels: 50_000_000,
  quota: {
    /**
     * Each owner's storage, unless the operator configures another (`DEFAULT_QUOTA_BYTES`, CDK
     * `docdrop:defaultQuotaBytes`): room for two files of the default per-file limit.
     */
    defaultBytes: 10 * GiB,
    /**
     * A reservation outlives its upload URL by this much before it is given back: S3 checks a
     * presigned URL's expiry when a PUT starts, so a large upload begun in the last second
     * still arrives, and the validator may run a little later.
     */
    reservationGraceSeconds: 15 * 60,
    /** Uploads signed and not yet settled, per owner: bounds the usage item (DynamoDB items hold 400 KB). */
    maxOpenReservations: 1000,
  },
  /** Days an audit entry is kept before TTL removes it, unless the operator configures another (`AUDIT_RETENTION_DAYS`). */
  auditRetentionDays: 365,
  /** Days the bucket keeps an overwritten version, unless the operator configures another (`docdrop:noncurrentVersionDays`). */
  noncurrentVersionDays: 30,
} as const;

/**
 * How long the API waits for a dependency (DynamoDB, S3, Cognito) before it answers 503
 * `service_unavailable`. One call: a connection within 1 s (in a region it takes
 * milliseconds; locally, microseconds), response headers within 2 s (DynamoDB answers in
 * single-digit ms; the tests' 50-way race on DynamoDB Local meets no timeout),
 * and one retry: so a stalled or dead dependency fails one call in at most ~4.2 s
 * (2 x 2 s plus the SDK's backoff of at most 200 ms). A request making several calls is held
 * to `requestDeadlineMs` overall. The validator is not an API function and keeps the SDK's
 * slower budget for large objects (`backgroundCalls`).
 */
export const dependencyCalls = {
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 2000,
  /** The first try and one retry (the SDK's standard retry strategy: TimeoutError, connection reset and refused, 5xx and throttling). */
  maxAttempts: 2,
  /** Above one call's worst case (~4.2 s), so a single stalled call answers with its own error, and well below the function's timeout. */
  requestDeadlineMs: 5000,
  /** Left between the deadline and the function's own timeout, to log and answer. */
  answerMarginMs: 1000,
  /** What a 503 asks a client to wait before trying again. */
  retryAfterSeconds: 5,
  /** `/api/health`: each dependency's check answers within this (no retry), so health answers within ~1.5 s. */
  healthCheckTimeoutMs: 1500,
} as const;

/**
 * Completing a multipart upload: S3 answers CompleteMultipartUpload at once and may take many
 * seconds to assemble thousands of parts, so complete-upload's S3 calls get longer and its
 * request a later deadline, still inside API Gateway's 30 s. One try: a client asks again (a
 * complete S3 finished meanwhile is found and answered then), rather than the SDK repeating a
 * long call past the deadline.
 */
export const completionCalls = {
  connectionTimeoutMs: dependencyCalls.connectionTimeoutMs,
  requestTimeoutMs: 20_000,
  maxAttempts: 1,
  requestDeadlineMs: 25_000,
} as const;

/** The validator's calls: it reads and writes whole objects (up to 5 GiB copies), within its 2-minute timeout. */
export const backgroundCalls = {
  connectionTimeoutMs: 2000,
  requestTimeoutMs: 30_000,
  maxAttempts: 3,
} as const;
