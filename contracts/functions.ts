/**
 * Every Lambda function of docdrop, by name: the folder under `functions/` that holds its
 * `index.ts`. The route table, the access declaration, the CDK constructs and the local
 * system all name functions from these lists, so a function exists everywhere or nowhere.
 */
export const apiFunctions = [
  'health',
  'describe-api',
  'create-link',
  'list-links',
  'revoke-link',
  'describe-link',
  'presign-upload',
  'confirm-upload',
  'abandon-upload',
  'sign-upload-parts',
  'list-upload-parts',
  'complete-upload',
  'list-files',
  'download-file',
  'download-thumbnail',
  'delete-file',
  'update-file',
  'release-held-file',
  'list-folders',
  'create-folder',
  'update-folder',
  'delete-folder',
  'create-share',
  'list-shares',
  'revoke-share',
  'list-shared-with-me',
  'upload-profile-photo',
  'download-profile-photo',
  'get-usage',
  'describe-me',
  'list-audit-trail',
  'get-settings',
  'update-settings',
] as const;

/** The S3-triggered function that checks every upload before it can be downloaded. */
export const validatorFunction = 'upload-validator';

/**
 * Run on a schedule, not by a route: gives up uploads never sent, asks the validator again for
 * uploads whose event was lost, and (in the cloud) redrives the validator's failure queue.
 */
export const sweepFunction = 'sweep-uploads';

/** Reads the arrival notices the validator queues (SQS) and e-mails the link owner, or keeps the notice for the digest. */
export const noticeSenderFunction = 'send-notices';

/** Run once a day on a schedule: sends each `daily` owner one e-mail of the day's arrivals. */
export const digestFunction = 'send-digests';

export type ApiFunctionName = (typeof apiFunctions)[number];
export type FunctionName =
  | ApiFunctionName
  | typeof validatorFunction
  | typeof sweepFunction
  | typeof noticeSenderFunction
  | typeof digestFunction;

export const functionNames: readonly FunctionName[] = [
  ...apiFunctions,
  validatorFunction,
  sweepFunction,
  noticeSenderFunction,
  digestFunction,
];

/**
 * Each function's timeout in seconds: the stack sets it on the Lambda function and the local
 * gateway enforces it as Lambda does. API functions answer within their request deadline
 * (limits.ts `dependencyCalls`, 5 s), so 10 s is a wide margin that still ends a stuck
 * invocation long before API Gateway's 30 s integration limit. The sweep HEADs and invokes a
 * page of pending uploads at a time. The validator has Lambda's most, 15 minutes: a declared
 * whole-file SHA-256 streams up to 5 GiB (about a minute at ~100 MB/s, a usual rate for one GET stream;
 * SHA-256 itself ran at 1.7 GB/s on a test machine), and a release above 5 GiB is copied in parts S3-side
 * (AWS reports objects up to ~2 TB copied this way within a Lambda's 15 minutes).
 */
export const functionTimeoutSeconds: Readonly<Record<FunctionName, number>> = {
  ...(Object.fromEntries(apiFunctions.map((name) => [name, 10])) as Record<ApiFunctionName, number>),
  // S3 may take many seconds to assemble a large multipart object (limits.ts `completionCalls`):
  // its deadline plus the margin, still under API Gateway's 30 s.
  'complete-upload': 28,
  [validatorFunction]: 900,
  [sweepFunction]: 120,
  // A batch of up to 10 notices, each a few bounded calls (settings, pool, SES, SNS, claims).
  [noticeSenderFunction]: 60,
  // Every daily owner's digest of one day, one owner at a time.
  [digestFunction]: 300,
};

/**
 * The notice queue: a message is received this many times (its first delivery and the
 * redeliveries after a failed send) before it goes to the dead-letter queue. The stack sets
 * it as the redrive policy's maxReceiveCount; the local queue keeps to the same number.
 */
export const noticeMaxReceives = 5;

/** The UTC hour the daily digest runs, covering the UTC day before (the stack's schedule, the local timer's day). */
export const digestHourUtc = 7;
