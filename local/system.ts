import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { readConfig } from '#commons/config';
import { apiFunctions, sweepFunction, validatorFunction } from '#contracts/functions';
import { type TableDefinition, tables } from '#contracts/tables';
import { contentSecurityPolicy } from '#contracts/web-security';
import { startCognito } from './cognito';
import { createTables, localDynamoClient, startDynamo } from './dynamodb';
import { handlerEnvironment, LOCAL_VALIDATOR_NAME, type SystemAddresses } from './environment';
import { type HttpFunction, startGateway } from './gateway';
import { runInvocation } from './invocations';
import { startLambdaInvoke } from './lambda-invoke';
import { DEMO_OWNER, seedOwner } from './owners';
import { startS3 } from './s3';
import { createS3EventBridge, type S3Function } from './s3-events';

// Lambda runs these functions on Node 24; the local system also runs on Node 20, where SDK v3
// warns that future releases will need Node 22. The lock file pins a release that supports both.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const REGION = 'us-east-1';
export const BUCKET = 'docdrop-local-documents';
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
  /** Extra environment for the handlers (e.g. a smaller MAX_FILE_BYTES in tests). */
  readonly environment?: Record<string, string>;
  /** A folder with the built web app (`buildWeb` in web/build.ts), served at `/` and `/u/`. */
  readonly webRoot?: string;
  /** How often the upload sweep runs (it also runs at start), as the cloud's schedule does; tests shorten it. */
  readonly sweepIntervalMs?: number;
}

/** The cloud runs the sweep every few minutes; locally once a minute is plenty. */
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

export interface LocalSystem extends SystemAddresses {
  /** Resolves when the validator has handled every event so far. */
  validatorIdle(): Promise<void>;
  /** Events the validator failed on after its retries (the cloud's failure destination). */
  readonly failedEvents: readonly unknown[];
  stop(): Promise<void>;
}

const PORT_VARIABLES: Record<keyof Ports, string> = {
  gateway: 'PORT',
  s3: 'S3_PORT',
  dynamodb: 'DYNAMODB_PORT',
  cognito: 'COGNITO_PORT',
};

export class PortInUseError extends Error {}

/** Fails with a message a person can act on if the port is taken; for 0, finds a free one. */
async function claimPort(port: number, name: keyof Ports): Promise<number> {
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
    probe.listen(port, '127.0.0.1', () => {
      const { port: chosen } = probe.address() as { port: number };
      probe.close(() => resolve(chosen));
    });
  });
}

/**
 * The whole system on one machine: S3, DynamoDB and Cognito emulators, the tables, bucket
 * and user pool from the shared definitions, the validator on S3 events, and the gateway
 * serving the shared route table with the same handler modules Lambda runs.
 */
export async function startLocalSystem(options: LocalSystemOptions): Promise<LocalSystem> {
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  const ports: Ports = {
    gateway: await claimPort(options.ports.gateway, 'gateway'),
    s3: await claimPort(options.ports.s3, 's3'),
    dynamodb: await claimPort(options.ports.dynamodb, 'dynamodb'),
    cognito: await claimPort(options.ports.cognito, 'cognito'),
  };
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const webOrigin = `http://localhost:${ports.gateway}`;
    let validator: S3Function | undefined;
    const events = createS3EventBridge(() => validator);

    const s3 = await startS3({
      port: ports.s3,
      directory: join(options.dataDir, 's3'),
      bucket: BUCKET,
      webOrigins: [webOrigin, `http://127.0.0.1:${ports.gateway}`],
      onEvent: options.deliverS3Events === false ? () => undefined : events.onEmulatorEvent,
    });
    stops.push(async () => {
      await events.idle();
      await s3.stop();
    });
    const invokeApi = await startLambdaInvoke({ functionName: LOCAL_VALIDATOR_NAME, deliver: events.deliver });
    stops.push(invokeApi.stop);
    const dynamo = await startDynamo({
      port: ports.dynamodb,
      ...(options.persistent ? { directory: join(options.dataDir, 'dynamodb') } : {}),
    });
    stops.push(dynamo.stop);
    const cognito = await startCognito({
      directory: join(options.dataDir, 'cognito'),
      port: ports.cognito,
      region: REGION,
      onMessage: options.onMessage ?? (() => undefined),
    });
    stops.push(cognito.stop);

    const dynamoClient = localDynamoClient(dynamo.endpoint);
    await createTables(dynamoClient, tables, physicalTableName);
    dynamoClient.destroy();
    if (options.seedDemoOwner)
      await seedOwner(
        { cognitoEndpoint: cognito.endpoint, region: REGION, userPoolId: cognito.userPoolId },
        DEMO_OWNER,
      );

    const tableNames = Object.fromEntries(tables.map((table) => [table.envVar, physicalTableName(table)]));
    const addresses: SystemAddresses = {
      region: REGION,
      apiUrl: webOrigin,
      lambdaEndpoint: invokeApi.endpoint,
      s3Endpoint: s3.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      cognitoEndpoint: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      bucket: BUCKET,
      tableNames,
    };
    // The handlers read their configuration at import, exactly as in Lambda: set it first.
    Object.assign(process.env, handlerEnvironment(addresses), options.environment);
    const handlers = new Map<string, HttpFunction>();
    for (const name of apiFunctions) handlers.set(name, (await import(`../functions/${name}/index.ts`)).handler);
    validator = (await import(`../functions/${validatorFunction}/index.ts`)).handler;

    const gateway = await startGateway({
      port: ports.gateway,
      host: '127.0.0.1',
      handlers,
      publicConfig: publicConfigOf(addresses),
      ...(options.webRoot
        ? {
            web: {
              root: options.webRoot,
              contentSecurityPolicy: contentSecurityPolicy({
                api: new URL(addresses.apiUrl).origin,
                documents: new URL(addresses.s3Endpoint).origin,
                cognito: new URL(addresses.cognitoEndpoint).origin,
              }),
            },
          }
        : {}),
    });
    stops.push(gateway.stop);
    stops.push(
      startSweeping((await import(`../functions/${sweepFunction}/index.ts`)).handler, options.sweepIntervalMs),
    );

    return {
      ...addresses,
      validatorIdle: events.idle,
      failedEvents: events.failed,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type ScheduledFunction = (event: unknown, context: Context) => Promise<unknown>;

/** Runs the sweep now and then every interval, one run at a time; the returned stop waits for a run under way. */
function startSweeping(sweep: ScheduledFunction, intervalMs = DEFAULT_SWEEP_INTERVAL_MS): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = running.then(() => {
      const context = { awsRequestId: randomUUID(), functionName: 'docdrop-local-sweep-uploads' } as Context;
      // A failed run is logged by the handler's logger and tried again at the next tick, as a schedule would.
      return runInvocation(context.awsRequestId, () => sweep({ source: 'local.schedule' }, context)).catch((error) =>
        console.error('upload sweep failed', error),
      );
    });
  };
  run();
  const timer = setInterval(run, intervalMs);
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** What `GET /config.json` tells browsers and scripts. */
function publicConfigOf(addresses: SystemAddresses): Record<string, string | number> {
  const { apiUrl, region, userPoolId, userPoolClientId, cognitoEndpoint } = addresses;
  // The owner upload limit exactly as the handlers read it (set in the environment just before).
  const { MAX_FILE_BYTES: maxFileBytes } = readConfig('MAX_FILE_BYTES');
  return { apiUrl, region, userPoolId, userPoolClientId, cognitoEndpoint, maxFileBytes };
}
