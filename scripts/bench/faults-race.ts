/**
 * The race figure of `npm run bench -- --only faults`, run as a child process per tree:
 * `node --import tsx scripts/bench/faults-race.ts <tree> <ports JSON> <result file>`.
 *
 * It starts <tree>'s own local system in this process, with the handlers' DYNAMODB_ENDPOINT
 * pointed at a counting proxy in front of DynamoDB Local, so every call a presign makes is
 * counted by its X-Amz-Target. A child per tree, because the handlers read their environment
 * at import and two trees' modules must not share one process.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEMO_OWNER, signIn } from '../../local/owners';

const MiB = 1024 * 1024;
const RACERS = 200;
const SINGLES = 20;
const DECLARED_BYTES = 25 * MiB;

export interface RaceFigures {
  /** Calls of one presign that wins on a fresh one-use link. */
  winnerCalls: number;
  racers: number;
  winners: number;
  /** "status code" of each refusal, counted. */
  losers: Record<string, number>;
  /** (calls during the race - winners x winnerCalls) / losers. */
  callsPerLoser: number;
  callsByTarget: Record<string, number>;
  singles: { answers: Record<string, number>; medianCalls: number; minCalls: number; maxCalls: number };
}

/** Counts DynamoDB requests by operation and passes them on unchanged. */
async function startCountingProxy(port: number, target: number) {
  const counts = new Map<string, number>();
  const agent = new Agent({ keepAlive: true });
  const server = createServer((incoming, outgoing) => {
    const operation = String(incoming.headers['x-amz-target'] ?? 'none').replace(/^DynamoDB_\d+\./, '');
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const total = () => [...counts.values()].reduce((sum, count) => sum + count, 0);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    total,
    byTarget: () => Object.fromEntries(counts),
    reset: () => counts.clear(),
    close: () => {
      server.closeAllConnections();
      agent.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const [root, portsJson, resultFile] = process.argv.slice(2) as [string, string, string];
  const ports = JSON.parse(portsJson) as {
    gateway: number;
    s3: number;
    dynamodb: number;
    cognito: number;
    proxy: number;
  };
  const proxy = await startCountingProxy(ports.proxy, ports.dynamodb);
  const { startLocalSystem } = await import(pathToFileURL(join(root, 'local/system.ts')).href);
  const system = await startLocalSystem({
    ports: { gateway: ports.gateway, s3: ports.s3, dynamodb: ports.dynamodb, cognito: ports.cognito },
    dataDir: join(process.cwd(), 'race-data'),
    persistent: false,
    fresh: true,
    seedDemoOwner: true,
    environment: { DYNAMODB_ENDPOINT: proxy.url },
  });
  try {
    const { idToken } = await signIn(system, DEMO_OWNER);
    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const response = await fetch(`${system.apiUrl}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const newLink = async () => {
      const created = await call(
        'POST',
        '/api/links',
        { authorization: `Bearer ${idToken}` },
        { label: 'race', maxUploads: 1 },
      );
      if (created.status !== 201) throw new Error(`link creation answered ${created.status}`);
      return created.body.token as string;
    };
    let fileNumber = 0;
    // Every racer sends a different file: the same file retried on a link may get its upload back.
    const presign = (token: string) => {
      fileNumber += 1;
      const sha256 = createHash('sha256').update(`race file ${fileNumber}`).digest('base64');
      return call(
        'POST',
        '/api/drop/uploads',
        { 'x-upload-token': token },
        { fileName: `scan-${fileNumber}.pdf`, contentType: 'application/pdf', size: DECLARED_BYTES, sha256 },
      );
    };
    const answerOf = (answer: { status: number; body?: { error?: { code?: string } } }) =>
      `${answer.status} ${answer.body?.error?.code ?? ''}`.trim();

    // Warm up the handlers and the JWKS cache, then price one winning presign on its own.
    await presign(await newLink());
    const soloLink = await newLink();
    proxy.reset();
    const solo = await presign(soloLink);
    if (solo.status !== 201) throw new Error(`a presign on a fresh link answered ${answerOf(solo)}`);
    const winnerCalls = proxy.total();

    const raceLink = await newLink();
    proxy.reset();
    const answers = await Promise.all(Array.from({ length: RACERS }, () => presign(raceLink)));
    const raceCalls = proxy.total();
    const callsByTarget = proxy.byTarget();
    const winners = answers.filter((answer) => answer.status === 201).length;
    const losers: Record<string, number> = {};
    for (const answer of answers)
      if (answer.status !== 201) losers[answerOf(answer)] = (losers[answerOf(answer)] ?? 0) + 1;
    const loserCount = RACERS - winners;

    // The link is used up now: each further presign is a loser on its own.
    const singleCalls: number[] = [];
    const singleAnswers: Record<string, number> = {};
    for (let i = 0; i < SINGLES; i++) {
      proxy.reset();
      const answer = await presign(raceLink);
      singleCalls.push(proxy.total());
      singleAnswers[answerOf(answer)] = (singleAnswers[answerOf(answer)] ?? 0) + 1;
    }
    singleCalls.sort((a, b) => a - b);
    const figures: RaceFigures = {
      winnerCalls,
      racers: RACERS,
      winners,
      losers,
      callsPerLoser: loserCount > 0 ? (raceCalls - winners * winnerCalls) / loserCount : 0,
      callsByTarget,
      singles: {
        answers: singleAnswers,
        medianCalls: singleCalls[Math.floor(SINGLES / 2)] as number,
        minCalls: singleCalls[0] as number,
        maxCalls: singleCalls[SINGLES - 1] as number,
      },
    };
    writeFileSync(resultFile, JSON.stringify(figures));
  } finally {
    await system.stop();
    await proxy.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
