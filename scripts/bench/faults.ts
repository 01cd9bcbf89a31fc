/**
 * Fault injection against the local system, from the outside (`npm run bench -- --only faults`):
 * the HTTP API, S3 over HTTP and process signals only, so the same measurement runs on any
 * tree, before or after a change to how the system handles faults. Per tree:
 *
 *  a. uploads lost after DynamoDB Local is killed (SIGKILL) and the system recovers;
 *  b. uploads lost after SIGTERM to the system mid-stream, then a start again;
 *  c. the answer, and its time, while DynamoDB Local is paused (SIGSTOP) for 10 s;
 *  d. DynamoDB calls per race loser (scripts/bench/faults-race.ts, in a child per tree).
 *
 * a to c run one system as `npm start` runs it (`tsx local/start.ts`, its own ports, data in
 * a temporary folder, `--fresh` at first). Printed, never asserted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DEMO_OWNER, type LocalPool, signIn } from '../../local/owners';
import type { RaceFigures } from './faults-race';

export interface FaultsOptions {
  readonly trees: readonly { label: string; root: string }[];
  /** How long to wait for accepted uploads to settle after a recovery. */
  readonly windowSeconds: number;
  /** First of the ports the systems use (5 per tree); undefined picks free ones. */
  readonly portBase?: number;
}

const KILLED_UPLOADS = 5;
const STREAMED_UPLOADS = 20;
const STREAM_GAP_MS = 50;
/** SIGTERM goes out once this many PUTs of the stream have been answered. */
const TERM_AFTER = 4;
const STALL_MS = 10_000;
const TSX_LOADER = import.meta.resolve('tsx');
const RACE_DRIVER = fileURLToPath(new URL('./faults-race.ts', import.meta.url));
const SETTLED = new Set(['clean', 'rejected']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface TreePorts {
  gateway: number;
  s3: number;
  dynamodb: number;
  cognito: number;
  proxy: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Ports of one system; a tree has two (offsets 0 and 5 of its ten), the race reuses the first. */
async function portsFor(index: number, system: 0 | 1, base: number | undefined): Promise<TreePorts> {
  const pick = async (offset: number) => (base === undefined ? freePort() : base + index * 10 + system * 5 + offset);
  return {
    gateway: await pick(0),
    s3: await pick(1),
    dynamodb: await pick(2),
    cognito: await pick(3),
    proxy: await pick(4),
  };
}

/** Parent pid of every process, from /proc (Linux). */
function parents(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      byPid.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  return byPid;
}

function descendants(pid: number): number[] {
  const byPid = parents();
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of byPid) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

const isAlive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Sends a signal to a process that may have ended meanwhile (a supervisor may replace a JVM). */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** DynamoDB Local's JVM among a system's descendants. */
function dynamoPid(systemPid: number): number | undefined {
  return descendants(systemPid).find((pid) => {
    try {
      return isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal');
    } catch {
      return false;
    }
  });
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Answer {
  status: number;
  code?: string;
  retryAfter?: string;
  ms: number;
  body?: AnswerBody;
}

/** The parts of the API's answers this script reads. */
interface AnswerBody {
  error?: { code?: string };
  items?: { fileId: string; status: string }[];
  uploadId?: string;
  url?: string;
  headers?: Record<string, string>;
}

async function ask(url: string, init: RequestInit = {}, timeoutMs = 60_000): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await response.text();
    let body: AnswerBody | undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return {
      status: response.status,
      code: body?.error?.code,
      retryAfter: response.headers.get('retry-after') ?? undefined,
      ms: performance.now() - started,
      body,
    };
  } catch (error) {
    // No answer at all: 0, with what happened (refused, reset, timed out).
    const cause = (error as { cause?: { code?: string }; name?: string }).cause?.code ?? (error as Error).name;
    return { status: 0, code: cause, ms: performance.now() - started };
  }
}

interface Stopped {
  exitCode: number | null | 'killed';
  ms: number;
  leftovers: string[];
}

/** One run of `tsx <tree>/local/start.ts`, as `npm start` starts it, on the tree's own ports. */
class RunningSystem {
  private constructor(
    readonly child: ChildProcess,
    readonly apiUrl: string,
    private readonly exited: Promise<number | null>,
  ) {}

  static async start(root: string, home: string, ports: TreePorts, fresh: boolean): Promise<RunningSystem> {
    const log = createWriteStream(join(home, 'system.log'), { flags: 'a' });
    const child = spawn(
      process.execPath,
      ['--import', TSX_LOADER, join(root, 'local/start.ts'), ...(fresh ? ['--fresh'] : [])],
      {
        // The data folder is ./.docdrop: in a temporary home, never the tree's own.
        cwd: home,
        env: {
          ...process.env,
          TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
          PORT: String(ports.gateway),
          S3_PORT: String(ports.s3),
          DYNAMODB_PORT: String(ports.dynamodb),
          COGNITO_PORT: String(ports.cognito),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const apiUrl = `http://127.0.0.1:${ports.gateway}`;
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the system exited with ${child.exitCode ?? child.signalCode}: see ${home}/system.log`);
      if ((await ask(`${apiUrl}/config.json`, {}, 2000)).status === 200) break;
      if (Date.now() > deadline) throw new Error(`the system did not start in 180 s: see ${home}/system.log`);
      await sleep(250);
    }
    return new RunningSystem(child, apiUrl, exited);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number {
    return this.child.pid as number;
  }

  async signIn(): Promise<string> {
    const config = (await ask(`${this.apiUrl}/config.json`)).body as unknown as LocalPool;
    return (await signIn(config, DEMO_OWNER)).idToken;
  }

  /**
   * SIGTERM, then the exit code and how long it took (SIGKILL after 60 s), and the names of
   * the processes still running 2 s after it ended (a JVM the system did not stop): killed here.
   */
  async terminate(): Promise<Stopped> {
    const started = performance.now();
    const family = [this.pid, ...descendants(this.pid)];
    this.child.kill('SIGTERM');
    const exitCode = await Promise.race([this.exited, sleep(60_000).then(() => 'killed' as const)]);
    const ms = performance.now() - started;
    await sleep(2000);
    const leftovers = family.filter(isAlive);
    const names = leftovers.map((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    for (const pid of leftovers) signal(pid, 'SIGKILL');
    return { exitCode, ms, leftovers: names };
  }
}

/** A small PDF, different for each number, so no two uploads are the same file. */
const pdf = (n: number) =>
  new TextEncoder().encode(
    `%PDF-1.4\n% bench ${n} ${Date.now()}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );

async function presignOwnerUploads(apiUrl: string, token: string, count: number) {
  const uploads: { uploadId: string; url: string; headers: Record<string, string>; bytes: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const bytes = pdf(i);
    const answer = await ask(`${apiUrl}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        fileName: `bench-${i}.pdf`,
        contentType: 'application/pdf',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('base64'),
      }),
    });
    if (answer.status !== 201) throw new Error(`presign answered ${answer.status} ${answer.code ?? ''}`);
    const { uploadId, url, headers } = answer.body as Required<AnswerBody>;
    uploads.push({ uploadId, url, headers, bytes });
  }
  return uploads;
}

async function putUpload(upload: { url: string; headers: Record<string, string>; bytes: Uint8Array }) {
  const { 'content-length': _length, ...headers } = upload.headers;
  return ask(upload.url, { method: 'PUT', headers, body: upload.bytes }, 30_000);
}

/** Polls the owner's list until every accepted upload is clean or rejected, or the window ends. */
async function waitSettled(apiUrl: string, token: string, accepted: readonly string[], windowMs: number) {
  const started = performance.now();
  let unsettled = [...accepted];
  for (;;) {
    const list = await ask(`${apiUrl}/api/files?limit=100`, { headers: { authorization: `Bearer ${token}` } }, 10_000);
    const statusOf = new Map<string, string>((list.body?.items ?? []).map((item) => [item.fileId, item.status]));
    unsettled = accepted.filter((id) => !SETTLED.has(statusOf.get(id) ?? 'missing'));
    const statuses = unsettled.map((id) => statusOf.get(id) ?? 'missing');
    if (unsettled.length === 0 || performance.now() - started > windowMs)
      return { lost: unsettled.length, lostIds: unsettled, stillAs: statuses, settleMs: performance.now() - started };
    await sleep(1000);
  }
}

interface LostFigures {
  /** One upload before the fault, waited for: shows the system settles uploads at all. */
  controlMs: number;
  accepted: number;
  sent: number;
  lost: number;
  stillAs: string[];
  recovery: string;
  settleMs: number;
  stream?: string;
}

interface StallFigures {
  files: Answer;
  health: Answer;
}

/** Control: one upload with no fault must settle, or the figure after it would mean nothing. */
async function controlUpload(system: RunningSystem, token: string): Promise<number> {
  const [upload] = await presignOwnerUploads(system.apiUrl, token, 1);
  const put = await putUpload(upload as NonNullable<typeof upload>);
  if (put.status !== 200) throw new Error(`the control PUT answered ${put.status}`);
  const settled = await waitSettled(system.apiUrl, token, [upload?.uploadId as string], 30_000);
  if (settled.lost > 0) throw new Error(`the control upload was still ${settled.stillAs[0]} after 30 s`);
  return settled.settleMs;
}

/** A fresh system for one scenario, signed in, its control upload settled, `count` uploads presigned. */
async function prepare(tree: TreeRun, home: string, ports: TreePorts, count: number) {
  const system = await RunningSystem.start(tree.root, home, ports, true);
  const token = await system.signIn();
  const controlMs = await controlUpload(system, token);
  const uploads = await presignOwnerUploads(system.apiUrl, token, count);
  return { system, token, controlMs, uploads };
}

/** DynamoDB Local's JVM among the system's descendants, or why the scenario cannot go on. */
function dynamoJvmOf(system: RunningSystem): number {
  const java = dynamoPid(system.pid);
  if (java === undefined) throw new Error('no DynamoDB Local process under the system');
  return java;
}

/** a: presign, kill DynamoDB, PUT, recover (by itself, or a restart), count the unsettled. */
async function killScenario(tree: TreeRun, windowMs: number): Promise<LostFigures> {
  const prepared = await prepare(tree, tree.killHome, tree.killPorts, KILLED_UPLOADS);
  const { system, controlMs, uploads } = prepared;
  tree.killSystem = system;
  let token = prepared.token;
  const java = dynamoJvmOf(system);
  process.kill(java, 'SIGKILL');
  const killedAt = performance.now();
  while (isAlive(java)) await sleep(20);
  const puts = await Promise.all(uploads.map(putUpload));
  const accepted = uploads.filter((_, i) => puts[i]?.status === 200).map((upload) => upload.uploadId);
  // A system that restarts DynamoDB itself has a new JVM listening again within this time.
  let recovery = '';
  while (performance.now() - killedAt < 30_000 && system.running) {
    const again = dynamoPid(system.pid);
    if (again !== undefined && again !== java && (await portAnswers(tree.killPorts.dynamodb))) {
      recovery = `DynamoDB restarted by the system in ${seconds(performance.now() - killedAt)}`;
      break;
    }
    await sleep(250);
  }
  if (!recovery) {
    recovery = system.running
      ? 'not by itself in 30 s: whole system restarted (SIGTERM, start)'
      : `the system exited (${system.child.exitCode ?? system.child.signalCode}) after the kill: started again`;
    await system.terminate();
    tree.killSystem = await RunningSystem.start(tree.root, tree.killHome, tree.killPorts, false);
    token = await tree.killSystem.signIn();
  }
  const settled = await waitSettled(tree.killSystem.apiUrl, token, accepted, windowMs);
  const { lost, stillAs, settleMs } = settled;
  return { controlMs, sent: uploads.length, accepted: accepted.length, lost, stillAs, settleMs, recovery };
}

/** b: a stream of PUTs, SIGTERM to the system after a few, start again, count the unsettled. */
async function termScenario(tree: TreeRun, windowMs: number): Promise<LostFigures> {
  const { system, controlMs, uploads } = await prepare(tree, tree.termHome, tree.termPorts, STREAMED_UPLOADS);
  tree.termSystem = system;
  let answered = 0;
  let termAt = Number.POSITIVE_INFINITY;
  let stopped: Promise<Stopped> | undefined;
  const puts: Promise<Answer & { sentAt: number }>[] = [];
  for (const upload of uploads) {
    const sentAt = performance.now();
    puts.push(
      putUpload(upload).then((answer) => {
        answered += 1;
        if (answered === TERM_AFTER) {
          termAt = performance.now();
          stopped = system.terminate();
        }
        return { ...answer, sentAt };
      }),
    );
    await sleep(STREAM_GAP_MS);
  }
  const answers = await Promise.all(puts);
  if (!stopped) throw new Error(`fewer than ${TERM_AFTER} PUTs were answered`);
  const stop = await stopped;
  const accepted = uploads.filter((_, i) => answers[i]?.status === 200).map((upload) => upload.uploadId);
  const afterTerm = answers.filter((answer) => answer.status === 200 && answer.sentAt > termAt);
  const latest = Math.max(0, ...afterTerm.map((answer) => answer.sentAt - termAt));
  const sentAfter = new Set(
    uploads.filter((_, i) => (answers[i]?.sentAt ?? 0) > termAt).map((upload) => upload.uploadId),
  );
  tree.termSystem = await RunningSystem.start(tree.root, tree.termHome, tree.termPorts, false);
  const settled = await waitSettled(tree.termSystem.apiUrl, await tree.termSystem.signIn(), accepted, windowMs);
  const lostAfter = settled.lostIds.filter((id) => sentAfter.has(id)).length;
  const leftovers = stop.leftovers.length > 0 ? `; still running 2 s after: ${stop.leftovers.join(', ')}` : '';
  return {
    controlMs,
    sent: uploads.length,
    accepted: accepted.length,
    lost: settled.lost,
    stillAs: settled.stillAs,
    settleMs: settled.settleMs,
    recovery: `stop took ${seconds(stop.ms)} (exit ${stop.exitCode})${leftovers}; started again`,
    stream: `${accepted.length - afterTerm.length} sent before SIGTERM got 200, ${afterTerm.length} sent after it did too${afterTerm.length ? ` (the last ${latest.toFixed(0)} ms after)` : ''}; lost: ${settled.lost - lostAfter} of the first, ${lostAfter} of the others`,
  };
}

/** c: DynamoDB paused for 10 s; a data request and the health route, answered when and how. */
async function stallScenario(system: RunningSystem | undefined): Promise<StallFigures> {
  if (!system) throw new Error('no system running after b');
  const token = await system.signIn();
  const files = () => ask(`${system.apiUrl}/api/files?limit=10`, { headers: { authorization: `Bearer ${token}` } });
  await files(); // warm: handler loaded, keys fetched
  const java = dynamoJvmOf(system);
  process.kill(java, 'SIGSTOP');
  try {
    const [filesAnswer, healthAnswer] = await Promise.all([
      files(),
      ask(`${system.apiUrl}/api/health`),
      sleep(STALL_MS).then(() => signal(java, 'SIGCONT')),
    ]);
    return { files: filesAnswer, health: healthAnswer };
  } finally {
    signal(java, 'SIGCONT');
  }
}

async function raceScenario(tree: TreeRun): Promise<RaceFigures> {
  const resultFile = join(tree.killHome, 'race.json');
  const log = createWriteStream(join(tree.killHome, 'race.log'));
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, RACE_DRIVER, tree.root, JSON.stringify(tree.killPorts), resultFile],
    {
      cwd: tree.killHome,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(tree.root, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !existsSync(resultFile))
    throw new Error(`the race driver exited with ${code}: see ${tree.killHome}/race.log`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as RaceFigures;
}

interface TreeFigures {
  kill?: LostFigures;
  term?: LostFigures;
  stall?: StallFigures;
  race?: RaceFigures;
  failures: string[];
}

/** One tree's two systems (one for the kill, one for the SIGTERM), their folders and ports. */
interface TreeRun {
  readonly label: string;
  readonly root: string;
  readonly killHome: string;
  readonly termHome: string;
  readonly killPorts: TreePorts;
  readonly termPorts: TreePorts;
  killSystem?: RunningSystem;
  termSystem?: RunningSystem;
  readonly figures: TreeFigures;
}

async function attempt(figures: TreeFigures, name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    figures.failures.push(`${name}: ${(error as Error).message}`);
  }
}

async function stopSystems(tree: TreeRun): Promise<void> {
  for (const system of [tree.killSystem, tree.termSystem]) if (system?.running) await system.terminate();
}
const answerText = (answer: Answer | undefined) =>
  answer
    ? `${answer.status || 'no answer'}${answer.code ? ` ${answer.code}` : ''}${answer.retryAfter ? `, Retry-After ${answer.retryAfter}` : ''}, in ${seconds(answer.ms)}`
    : 'not measured';

const counted = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([answer, count]) => `${count} x ${answer}`)
    .join(', ') || 'none';

const lostText = (lost: LostFigures | undefined) =>
  lost
    ? `${lost.lost} lost of ${lost.accepted} accepted by S3 (of ${lost.sent} sent)${lost.lost ? `, still ${[...new Set(lost.stillAs)].join('/')}` : ''}`
    : 'not measured';

export async function measureFaults(options: FaultsOptions): Promise<void> {
  const started = performance.now();
  const windowMs = options.windowSeconds * 1000;
  const runs: TreeRun[] = [];
  for (const [index, tree] of options.trees.entries()) {
    runs.push({
      ...tree,
      killHome: mkdtempSync(join(tmpdir(), 'figures-faults-kill-')),
      termHome: mkdtempSync(join(tmpdir(), 'figures-faults-term-')),
      killPorts: await portsFor(index, 0, options.portBase),
      termPorts: await portsFor(index, 1, options.portBase),
      figures: { failures: [] },
    });
  }
  // a and b on every tree at once: their time is mostly waiting, and a count of lost uploads
  // does not depend on a busy CPU. c times answers and d races, so they run one tree at a time.
  await Promise.all(
    runs.flatMap((run) => [
      attempt(run.figures, 'a', async () => {
        run.figures.kill = await killScenario(run, windowMs);
      }),
      attempt(run.figures, 'b', async () => {
        run.figures.term = await termScenario(run, windowMs);
      }),
    ]),
  );
  for (const run of runs) {
    await attempt(run.figures, 'c', async () => {
      run.figures.stall = await stallScenario(run.termSystem);
    });
  }
  for (const run of runs) await stopSystems(run);
  for (const run of runs) {
    await attempt(run.figures, 'd', async () => {
      run.figures.race = await raceScenario(run);
    });
    if (run.figures.failures.length === 0)
      for (const home of [run.killHome, run.termHome]) rmSync(home, { recursive: true, force: true });
  }
  const results = runs.map(({ label, figures }) => ({ label, figures }));
  const rows: [string, (figures: TreeFigures) => string][] = [
    [`a. DynamoDB killed, ${KILLED_UPLOADS} PUTs, recovery`, (f) => lostText(f.kill)],
    ['   control: one upload before the kill settled in', (f) => (f.kill ? seconds(f.kill.controlMs) : '-')],
    ['   how it recovered', (f) => f.kill?.recovery ?? '-'],
    ['   all settled / window ended after', (f) => (f.kill ? seconds(f.kill.settleMs) : '-')],
    [
      `b. SIGTERM after ${TERM_AFTER} of ${STREAMED_UPLOADS} PUTs (one per ${STREAM_GAP_MS} ms)`,
      (f) => lostText(f.term),
    ],
    ['   control: one upload before the stream settled in', (f) => (f.term ? seconds(f.term.controlMs) : '-')],
    ['   the stream', (f) => f.term?.stream ?? '-'],
    ['   stop and start', (f) => f.term?.recovery ?? '-'],
    ['   all settled / window ended after', (f) => (f.term ? seconds(f.term.settleMs) : '-')],
    [`c. DynamoDB paused ${STALL_MS / 1000} s: GET /api/files`, (f) => answerText(f.stall?.files)],
    ['   GET /api/health', (f) => answerText(f.stall?.health)],
    ['d. 200 presigns, one-use link, 25 MiB each', (f) => (f.race ? `${f.race.winners} winner(s)` : 'not measured')],
    ['   losers', (f) => (f.race ? counted(f.race.losers) : '-')],
    ['   DynamoDB calls per loser in the race', (f) => (f.race ? f.race.callsPerLoser.toFixed(1) : '-')],
    ['   race calls by operation', (f) => (f.race ? counted(f.race.callsByTarget) : '-')],
    [
      '   20 presigns after, one at a time',
      (f) =>
        f.race
          ? `median ${f.race.singles.medianCalls} calls (${f.race.singles.minCalls}-${f.race.singles.maxCalls}); ${counted(f.race.singles.answers)}`
          : '-',
    ],
    ['   a winning presign alone', (f) => (f.race ? `${f.race.winnerCalls} calls` : '-')],
  ];
  console.log(
    `\n8. faults, window ${options.windowSeconds} s for uploads to settle (lost = accepted by S3, not clean or rejected at the end)`,
  );
  const width = Math.max(...results.map(({ label }) => label.length));
  for (const [name, value] of rows) {
    console.log(`   ${name}`);
    for (const { label, figures } of results) console.log(`      ${label.padEnd(width)}  ${value(figures)}`);
  }
  for (const { label, figures } of results)
    for (const failure of figures.failures) console.log(`   ${label}: could not measure ${failure}`);
  console.log(
    `   (trees: ${runs.map((run) => `${run.label} ${run.root}`).join(', ')}; ${seconds(performance.now() - started)})`,
  );
}
