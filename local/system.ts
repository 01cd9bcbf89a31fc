import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { readConfig } from '#commons/config';
import {
  apiFunctions,
  digestFunction,
  digestHourUtc,
  type FunctionName,
  functionTimeoutSeconds,
  noticeSenderFunction,
  sweepFunction,
  validatorFunction,
} from '#contracts/functions';
import type { MalwareScanMode } from '#contracts/malware-scan';
import { type TableDefinition, tables } from '#contracts/tables';
import { contentSecurityPolicy } from '#contracts/web-security';
import { type LocalCognito, startCognito } from './cognito';
import { assertDataDirFree, claimDataDir } from './data-dir-lock';
import { createTables, type LocalDynamo, localDynamoClient, startDynamo, stopStaleDynamo } from './dynamodb';
import { handlerEnvironment, LOCAL_VALIDATOR_NAME, S3_CREDENTIALS, type SystemAddresses } from './environment';
import { type FailedInvocation, failedInvocationStore } from './failed-invocations';
import { type HttpFunction, type LocalGateway, startGateway } from './gateway';
import { invokeWithTimeout, lambdaContext } from './invocations';
import { type LocalLambdaInvoke, startLambdaInvoke } from './lambda-invoke';
import { createStandInScanner, type StandInScannerOptions } from './malware-scanner';
import { type LocalNoticeQueue, type NoticeHandler, type QueuedMessage, startNoticeQueue } from './notice-queue';
import { DEMO_OWNER, seedOwner } from './owners';
import { type LocalS3, startS3 } from './s3';
import { createS3EventBridge, LAMBDA_ASYNC_RETRY_DELAYS_MS, type S3Function } from './s3-events';
import { urlHost } from './url-host';

// Lambda runs these functions on Node 24; the local system also runs on Node 20, where SDK v3
// warns that future releases will need Node 22. The lock file pins a release that supports both.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REGION = 'us-east-1';
export const BUCKET = 'docdrop-local-documents';
/** Where everything listens unless `host` says otherwise. */
const LOOPBACK = '127.0.0.1';
export const physicalTableName = (table: TableDefinition): string => `docdrop-${table.id}`;

export interface Ports {
  readonly gateway: number;
  readonly s3: number;
  readonly dynamodb: number;
  readonly cognito: number;
}

export interface LocalSystemOptions {
  /** Port 0 picks a free one. */
  readonly ports: Ports;
  /** Where data persists; undefined keeps DynamoDB in memory and S3 and Cognito in `scratchDir`. */
  readonly dataDir: string;
  readonly persistent: boolean;
  readonly fresh?: boolean;
  readonly seedDemoOwner?: boolean;
  /** False leaves S3 events undelivered, for a benchmark that invokes the validator itself. */
  readonly deliverS3Events?: boolean;
  readonly onMessage?: (message: { to: string; code?: string; subject?: string }) => void;
  /**
   * Where the gateway and the emulators the browser talks to (S3, Cognito) listen: default
   * loopback; an address of this machine (or `0.0.0.0`) lets other devices on the network in.
   */
  readonly host?: string;
  /** Pages on other origins allowed to call the API and PUT to the bucket, as `docdrop:webOrigins`. */
  readonly webOrigins?: readonly string[];
  /** Extra environment for the handlers (e.g. a smaller MAX_FILE_BYTES in tests). */
  readonly environment?: Record<string, string>;
  /** A folder with the built web app (`buildWeb` in web/build.ts), served at `/` and `/u/`. */
  readonly webRoot?: string;
  /** The validator's retry waits (default Lambda's: 1 min, then 2 min); tests shorten them. */
  readonly retryDelaysMs?: readonly number[];
  /** How often events in the failure store are tried again (default 5 min); they are also tried at start. */
  readonly replayIntervalMs?: number;
  /** How long shutdown waits for running validator invocations (default 30 s) before keeping them on disk. */
  readonly drainDeadlineMs?: number;
  /** DynamoDB Local keeps dying and is not restarted again; by default only logged. */
  readonly onFatal?: (error: Error) => void;
  /** How often the upload sweep runs (it also runs at start), as the cloud's schedule does; tests shorten it. */
  readonly sweepIntervalMs?: number;
  /** Every owner must set up TOTP and give its code at sign-in, as `docdrop:requireMfa` (npm start: REQUIRE_MFA=true). */
  readonly requireMfa?: boolean;
  /** How long a notice whose send failed waits before it is received again (SQS's visibility timeout; default 30 s). */
  readonly noticeRedeliveryMs?: number;
  /** How often the daily-digest run is tried (default every 10 minutes; each UTC day is sent once, after 07:00 UTC). */
  readonly digestIntervalMs?: number;
  /** The malware gate, as `docdrop:malwareScan` (default `guardduty`, the stand-in scanner running; `off` without S3 events). */
  readonly malwareScan?: MalwareScanMode;
  /** The stand-in scanner's size above which it answers UNSUPPORTED, and its delay (tests set them). */
  readonly scanner?: Pick<StandInScannerOptions, 'maxScanBytes' | 'delayMs'>;
}

/** The cloud runs the sweep every few minutes; locally once a minute is plenty. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const DEFAULT_DIGEST_INTERVAL_MS = 10 * 60_000;

export interface LocalSystem extends SystemAddresses {
  /** Resolves when the validator has handled every event so far. */
  validatorIdle(): Promise<void>;
  /** Events the validator failed on after its retries, kept in `<dataDir>/failed-invocations/`. */
  failedInvocations(): FailedInvocation[];
  /** Resolves when the notice queue has no message waiting or being sent. */
  noticesIdle(): Promise<void>;
  /** Notice receives that failed so far, and the notices that failed every receive. */
  noticeFailures(): { readonly receives: number; readonly deadLetters: readonly QueuedMessage[] };
  /** The DynamoDB Local java's pid: it changes when the supervisor restarts it. */
  dynamodbPid(): number | undefined;
  stop(): Promise<void>;
}

const PORT_VARIABLES: Record<keyof Ports, string> = {
  gateway: 'PORT',
  s3: 'S3_PORT',
  dynamodb: 'DYNAMODB_PORT',
  cognito: 'COGNITO_PORT',
};

export class PortInUseError extends Error {}

const logger = new Logger({ serviceName: 'local-system' });

/** Where a data folder keeps what the local system must not lose between runs. */
export const failedInvocationsDir = (dataDir: string): string => join(dataDir, 'failed-invocations');
/** Where the local system writes e-mails instead of sending them. */
export const mailDir = (dataDir: string): string => join(dataDir, 'mail');
const dynamoPidFile = (dataDir: string): string => join(dataDir, 'dynamodb.pid');

/** A port held open by a placeholder listener until its real server is about to take it. */
interface HeldPort {
  readonly port: number;
  /** Closes the placeholder; call it right before the real server listens. */
  release(): Promise<void>;
}

/**
 * Fails with a message a person can act on if the port is taken; for 0, finds a free one. The
 * port stays held until `release`: a free port closed at once is free for anyone, and in the
 * seconds before its server listens (DynamoDB's JVM, the handlers' imports) an outgoing
 * connection of another process may take it as its ephemeral port, so its server would fail
 * with EADDRINUSE.
 */
async function claimPort(port: number, name: keyof Ports, host: string): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(
              `Port ${port} (${name}) is already in use. Stop what is using it, or set ${PORT_VARIABLES[name]}=<another port>.`,
            )
          : error,
      ),
    );
    probe.listen(port, host, () => {
      const { port: chosen } = probe.address() as { port: number };
      let released: Promise<void> | undefined;
      const release = () => {
        released ??= new Promise<void>((done) => probe.close(() => done()));
        return released;
      };
      resolve({ port: chosen, release });
    });
  });
}

async function claimPorts(requested: Ports, host: string): Promise<Record<keyof Ports, HeldPort>> {
  const held: Partial<Record<keyof Ports, HeldPort>> = {};
  try {
    held.gateway = await claimPort(requested.gateway, 'gateway', host);
    held.s3 = await claimPort(requested.s3, 's3', host);
    held.dynamodb = await claimPort(requested.dynamodb, 'dynamodb', LOOPBACK);
    held.cognito = await claimPort(requested.cognito, 'cognito', host);
    return held as Record<keyof Ports, HeldPort>;
  } catch (error) {
    await Promise.all(Object.values(held).map((claimed) => claimed.release()));
    throw error;
  }
}

/**
 * The whole system on one machine: S3, DynamoDB and Cognito emulators, the tables, bucket
 * and user pool from the shared definitions, the validator on S3 events, and the gateway
 * serving the shared route table with the same handler modules Lambda runs.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  // First of all: a live system's folder is neither wiped nor has its DynamoDB stopped.
  assertDataDirFree(options.dataDir);
  // Before claiming the ports: a java left by a crashed run holds the DynamoDB one.
  await stopStaleDynamo(dynamoPidFile(options.dataDir));
  const host = options.host ?? LOOPBACK;
  const held = await claimPorts(options.ports, host);
  const ports: Ports = {
    gateway: held.gateway.port,
    s3: held.s3.port,
    dynamodb: held.dynamodb.port,
    cognito: held.cognito.port,
  };
  const advertised = advertisedHost(host);
  const releasePorts = () => Promise.all(Object.values(held).map((claimed) => claimed.release()));
  let releaseDataDir: () => void;
  try {
    // Only once every port is ours: a start that cannot run wipes nothing.
    if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
    releaseDataDir = claimDataDir(options.dataDir);
  } catch (error) {
    await releasePorts();
    throw error;
  }
  const failures = failedInvocationStore(failedInvocationsDir(options.dataDir));
  let validator: S3Function | undefined;
  // Every event the validator gets lets the stand-in scanner catch up on an object it never
  // scanned (see malware-scanner.ts); not where a caller sends S3's events itself, and the scan results too.
  let scanner: ReturnType<typeof createStandInScanner> | undefined;
  const catchUp = options.deliverS3Events !== false;
  const validatorCatchingUp = (): S3Function | undefined =>
    validator &&
    ((event, context) => {
      if (catchUp) scanner?.catchUp(event);
      return (validator as S3Function)(event, context);
    });
  const events = createS3EventBridge(validatorCatchingUp, {
    retryDelaysMs: options.retryDelaysMs ?? LAMBDA_ASYNC_RETRY_DELAYS_MS,
    store: failures,
    functionName: LOCAL_VALIDATOR_NAME,
  });
  const timers: NodeJS.Timeout[] = [];
  let stopSweeping: (() => Promise<void>) | undefined;
  let stopDigests: (() => Promise<void>) | undefined;
  let noticeSender: NoticeHandler | undefined;
  let notices: LocalNoticeQueue | undefined;
  let gateway: LocalGateway | undefined;
  let invokeApi: LocalLambdaInvoke | undefined;
  let s3: LocalS3 | undefined;
  let dynamo: LocalDynamo | undefined;
  let cognito: LocalCognito | undefined;
  let stopped: Promise<void> | undefined;

  /**
   * Shutdown in the order that loses nothing: no new requests, then no new objects, then the
   * validator finishes (or its events go to disk), and only then the stores it writes to.
   */
  const stopInOrder = async () => {
    // 1. Periodic work: the failure store's replay, and the sweep (a run under way finishes).
    for (const timer of timers) clearInterval(timer);
    await stopSweeping?.().catch(logStopError('sweep'));
    await stopDigests?.().catch(logStopError('digests'));
    // 2. The gateway takes no more requests, and nothing more asks for a validation.
    await gateway?.stop().catch(logStopError('gateway'));
    await invokeApi?.stop().catch(logStopError('lambda invoke'));
    // 3. S3 accepts no more objects: once closed, every accepted PUT has queued its event.
    await s3?.stop().catch(logStopError('s3'));
    // 4. Running validator invocations drain; events waiting for a retry are kept on disk.
    await events.drain(options.drainDeadlineMs ?? 30_000);
    // 5. The notices the validator queued are sent (or kept on disk), then what both write to, and the identity provider.
    await notices?.stop().catch(logStopError('notice queue'));
    await dynamo?.stop().catch(logStopError('dynamodb'));
    await cognito?.stop().catch(logStopError('cognito'));
    // A start that failed half-way still holds the ports it had not yet handed over.
    await releasePorts();
    releaseDataDir();
  };
  const stop = () => {
    stopped ??= stopInOrder();
    return stopped;
  };

  try {
    // Without S3 events there is no stand-in scan either: a caller that sends the validator its
    // own events gets the gate only when it asks for it (and then sends the scan results too).
    const malwareScan = options.malwareScan ?? (options.deliverS3Events === false ? 'off' : 'guardduty');
    await held.s3.release();
    s3 = await startS3({
      host,
      advertisedHost: advertised,
      port: ports.s3,
      directory: join(options.dataDir, 's3'),
      bucket: BUCKET,
      // The web app at whatever name it is opened by (S3 allows one `*` in an origin), and the extra pages.
      webOrigins: [`http://*:${ports.gateway}`, ...(options.webOrigins ?? [])],
      onEvent:
        options.deliverS3Events === false
          ? () => undefined
          : (event) => {
              events.onEmulatorEvent(event);
              scanner?.onEmulatorEvent(event);
            },
    });
    if (malwareScan === 'guardduty') {
      const s3Client = new S3Client({
        region: REGION,
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: S3_CREDENTIALS,
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      scanner = createStandInScanner({
        s3: s3Client,
        bucket: BUCKET,
        deliver: (event) => events.deliver(event as S3Event),
        ...options.scanner,
      });
    }
    // Lambda's Invoke API, through which confirm and the sweep ask the validator to run.
    invokeApi = await startLambdaInvoke({ functionName: LOCAL_VALIDATOR_NAME, deliver: events.deliver });
    // The validator queues notices here; send-notices receives them as SQS events.
    notices = await startNoticeQueue({
      directory: join(options.dataDir, 'notice-queue'),
      region: REGION,
      handler: () => noticeSender,
      visibilityTimeoutMs: options.noticeRedeliveryMs ?? 30_000,
    });
    const createAllTables = async (endpoint: string) => {
      const client = localDynamoClient(endpoint);
      await createTables(client, tables, physicalTableName).finally(() => client.destroy());
    };
    await held.dynamodb.release();
    dynamo = await startDynamo({
      port: ports.dynamodb,
      ...(options.persistent ? { directory: join(options.dataDir, 'dynamodb') } : {}),
      pidFile: dynamoPidFile(options.dataDir),
      onRestarted: async () => {
        await createAllTables(`http://127.0.0.1:${ports.dynamodb}`);
        // In memory, a restart cannot keep data: the system goes on with empty tables, and says so.
        if (!options.persistent)
          logger.error('in-memory DynamoDB Local restarted: every item was lost; the tables were recreated empty');
      },
      onFatal: options.onFatal ?? ((error) => logger.critical('DynamoDB Local is down for good', { error })),
    });
    await held.cognito.release();
    cognito = await startCognito({
      host,
      advertisedHost: advertised,
      directory: join(options.dataDir, 'cognito'),
      port: ports.cognito,
      region: REGION,
      onMessage: options.onMessage ?? (() => undefined),
      requireMfa: options.requireMfa ?? false,
    });

    await createAllTables(dynamo.endpoint);
    if (options.seedDemoOwner)
      await seedOwner(
        { cognitoEndpoint: cognito.endpoint, region: REGION, userPoolId: cognito.userPoolId },
        DEMO_OWNER,
      );

    const tableNames = Object.fromEntries(tables.map((table) => [table.envVar, physicalTableName(table)]));
    const addresses: SystemAddresses = {
      region: REGION,
      // Where links and scripts are pointed; the web app itself calls the API on its own origin.
      apiUrl: `http://${host === LOOPBACK ? 'localhost' : urlHost(advertised)}:${ports.gateway}`,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      cognitoEndpoint: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      bucket: BUCKET,
      tableNames,
      lambdaEndpoint: invokeApi.endpoint,
      sqsEndpoint: notices.endpoint,
      noticeQueueUrl: notices.queueUrl,
      mailDir: mailDir(options.dataDir),
      malwareScan,
    };
    // The handlers read their configuration at import, exactly as in Lambda: set it first.
    Object.assign(process.env, handlerEnvironment(addresses), options.environment);
    const handlers = new Map<string, HttpFunction>();
    for (const name of apiFunctions) handlers.set(name, (await import(`../functions/${name}/index.ts`)).handler);
    validator = (await import(`../functions/${validatorFunction}/index.ts`)).handler;
    const sendNotices: ScheduledFunction = (await import(`../functions/${noticeSenderFunction}/index.ts`)).handler;
    const noticeTimeoutMs = functionTimeoutSeconds[noticeSenderFunction] * 1000;
    // Through the same invocation path as every function: a context, its timeout, its own request id.
    noticeSender = (event) => {
      const context = lambdaContext(noticeSenderFunction, noticeTimeoutMs);
      return invokeWithTimeout(context, noticeTimeoutMs, () =>
        sendNotices(event, context),
      ) as ReturnType<NoticeHandler>;
    };
    notices.start();
    // Events kept by an earlier run (or this one's start) get their next attempt now, then periodically.
    events.replayFailed();
    const replayTimer = setInterval(events.replayFailed, options.replayIntervalMs ?? 5 * 60_000);
    replayTimer.unref();
    timers.push(replayTimer);

    await held.gateway.release();
    gateway = await startGateway({
      port: ports.gateway,
      host,
      handlers,
      corsOrigins: options.webOrigins ?? [],
      publicConfig: publicConfigOf(addresses, options.requireMfa ?? false),
      ...(options.webRoot
        ? {
            web: {
              root: options.webRoot,
              contentSecurityPolicy: contentSecurityPolicy({
                documents: new URL(addresses.s3Endpoint).origin,
                cognito: new URL(addresses.cognitoEndpoint).origin,
              }),
            },
          }
        : {}),
    });
    stopSweeping = startSchedule(
      sweepFunction,
      (await import(`../functions/${sweepFunction}/index.ts`)).handler,
      options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    );
    // The cloud runs the digest once a day at 07:00 UTC; a run before that hour is told the
    // previous day's time, so locally each day is sent once, by the first run after the hour.
    stopDigests = startSchedule(
      digestFunction,
      (await import(`../functions/${digestFunction}/index.ts`)).handler,
      options.digestIntervalMs ?? DEFAULT_DIGEST_INTERVAL_MS,
      () => ({ source: 'local.schedule', time: lastDigestHour(new Date()).toISOString() }),
    );

    const runningDynamo = dynamo;
    const runningNotices = notices;
    return {
      ...addresses,
      validatorIdle: events.idle,
      noticesIdle: notices.idle,
      noticeFailures: () => ({ receives: runningNotices.failedReceives(), deadLetters: runningNotices.deadLetters() }),
      failedInvocations: () => failures.list(),
      dynamodbPid: () => runningDynamo.pid,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

const logStopError = (part: string) => (error: unknown) =>
  logger.error('a part of the local system did not stop cleanly', { part, error: error as Error });

type ScheduledFunction = (event: unknown, context: Context) => Promise<unknown>;

/** Runs a scheduled function now and then every interval, one run at a time, within its timeout; the returned stop waits for a run under way. */
function startSchedule(
  name: FunctionName,
  scheduled: ScheduledFunction,
  intervalMs: number,
  event: () => unknown = () => ({ source: 'local.schedule' }),
): () => Promise<void> {
  const timeoutMs = functionTimeoutSeconds[name] * 1000;
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => {
      const context = lambdaContext(name, timeoutMs);
      // A failed run is logged and tried again at the next tick, as a schedule would.
      return invokeWithTimeout(context, timeoutMs, () => scheduled(event(), context)).catch((error) =>
        logger.error('scheduled function failed', { function: name, error: error as Error }),
      );
    });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** The latest digest time (07:00 UTC) at or before `now`: the time the cloud's schedule last fired. */
export function lastDigestHour(now: Date): Date {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), digestHourUtc));
  return today.getTime() <= now.getTime() ? today : new Date(today.getTime() - 86_400_000);
}

/**
 * What `GET /config.json` tells browsers and scripts. `apiUrl` is empty: the API is on the
 * page's own origin, whatever name the page was opened by (as behind CloudFront in the cloud).
 */
function publicConfigOf(addresses: SystemAddresses, requireMfa: boolean): Record<string, string | number | boolean> {
  const { region, userPoolId, userPoolClientId, cognitoEndpoint } = addresses;
  // The owner upload limit exactly as the handlers read it (set in the environment just before).
  const { MAX_FILE_BYTES: maxFileBytes } = readConfig('MAX_FILE_BYTES');
  return { apiUrl: '', region, userPoolId, userPoolClientId, cognitoEndpoint, maxFileBytes, requireMfa };
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The name presigned URLs and config.json give for S3 and Cognito: a browser connects to them
 * itself, so it must be an address every device can reach. For a wildcard bind, this machine's
 * first non-internal IPv4 address (loopback if it has none).
 */
export function advertisedHost(host: string): string {
  if (!WILDCARDS.has(host)) return host;
  const external = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal);
  return external?.address ?? LOOPBACK;
}
