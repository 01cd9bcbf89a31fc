import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';

export interface BrowserTestContext {
  /** Where the web app and API are, as a person would open them. */
  readonly webUrl: string;
  /** Everything `npm start` printed, where sign-up confirmation codes appear. */
  readonly startLog: string;
  readonly chromiumPath: string;
  /** Each owner's storage quota, small so that a test can fill it (`npm start -- --quota-bytes`). */
  readonly quotaBytes: number;
  /** A free port whose `http://127.0.0.1:<port>` origin was given to `npm start -- --web-origin`. */
  readonly integratorPort: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    browser: BrowserTestContext;
  }
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// By path: the child runs in a scratch folder, where a bare `tsx` would not resolve.
const TSX_LOADER = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const QUOTA_BYTES = 4 * 1024 * 1024;

function ensureChromium(): void {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return;
  } catch {
    // Missing: the project's script installs Debian's package when it can (as root), or says what to do.
  }
  execFileSync(join(ROOT, 'scripts/ensure-chromium.sh'), {
    stdio: 'inherit',
    env: { ...process.env, CHROMIUM_PATH: CHROMIUM },
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}

export interface RunningDocdrop {
  readonly ports: { PORT: number; S3_PORT: number; DYNAMODB_PORT: number; COGNITO_PORT: number };
  /** Everything `npm start` printed, where sign-up confirmation codes appear. */
  readonly startLog: string;
  stop(): Promise<void>;
}

/**
 * Runs `npm start`'s own entry point (local/start.ts) in a child process, on free ports and in a
 * scratch folder: the web app built and served exactly as a person gets it, and its printed
 * output (with the confirmation codes) kept in a file. A separate process, because the handler
 * modules read their configuration once at import and the integration tests' system lives in
 * this one. A test that needs other settings (a larger quota) starts its own with `args`, or
 * with `environment` (REQUIRE_MFA).
 */
export async function startDocdrop(
  args: readonly string[],
  environment: Record<string, string> = {},
): Promise<RunningDocdrop> {
  const workDir = mkdtempSync(join(tmpdir(), 'docdrop-e2e-'));
  const startLog = join(workDir, 'npm-start.log');
  const ports = {
    PORT: await freePort(),
    S3_PORT: await freePort(),
    DYNAMODB_PORT: await freePort(),
    COGNITO_PORT: await freePort(),
  };
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, 'local/start.ts'), ...args], {
    cwd: workDir,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(startLog);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const started = new Promise<void>((ready, fail) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`the local system did not start in 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('docdrop is running.')) {
        clearTimeout(timer);
        ready();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the local system exited with ${code}:\n${output}`));
    });
  });
  try {
    await started;
  } catch (error) {
    // SIGTERM: start.ts then stops DynamoDB Local's JVM too.
    child.kill('SIGTERM');
    log.end();
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ports,
    startLog,
    async stop() {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      log.end();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  ensureChromium();
  // An integrator's page: the test serves it there, and the gateway and bucket must let it in.
  const integratorPort = await freePort();
  const { ports, startLog, stop } = await startDocdrop([
    '--quota-bytes',
    String(QUOTA_BYTES),
    '--web-origin',
    `http://127.0.0.1:${integratorPort}`,
  ]);
  project.provide('browser', {
    webUrl: `http://localhost:${ports.PORT}`,
    startLog,
    chromiumPath: CHROMIUM,
    quotaBytes: QUOTA_BYTES,
    integratorPort,
  });
  return stop;
}
