import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError } from '../../local/data-dir-lock';
import { type LocalSystem, PortInUseError, startLocalSystem } from '../../local/system';

// `npm start -- --fresh` as a person runs it, on fixed ports of its own (below the ephemeral range the port-0 systems use).
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PORTS = { PORT: '4300', S3_PORT: '4301', DYNAMODB_PORT: '4302', COGNITO_PORT: '4303' };
const FREE_PORTS = { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 };
const folders: string[] = [];
const systems: LocalSystem[] = [];

/** A data folder with something in it that a wipe would take. */
function dataFolder(): { dataDir: string; keepsake: string } {
  const dataDir = mkdtempSync('/tmp/local-fresh-');
  folders.push(dataDir);
  mkdirSync(join(dataDir, 's3'), { recursive: true });
  const keepsake = join(dataDir, 's3', 'keepsake');
  writeFileSync(keepsake, 'an upload worth keeping');
  return { dataDir, keepsake };
}

function freshStart(dataDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--fresh', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...PORTS, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
  return new Promise((done) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, output });
    }),
  );
}

afterAll(async () => {
  for (const system of systems) await system.stop();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('npm start -- --fresh', () => {
  it('refuses the data folder of a running docdrop, wipes nothing, and leaves that docdrop running', async () => {
    // prepare: a running system on the folder (in this process, on other ports)
    const { dataDir, keepsake } = dataFolder();
    const running = await startLocalSystem({ ports: FREE_PORTS, dataDir, persistent: false });
    systems.push(running);

    // act
    const { code, output } = await freshStart(dataDir);

    // assess
    expect(code).toBe(1);
    expect(output).toContain(`The data folder ${dataDir} is in use by a running docdrop (pid ${process.pid})`);
    expect(existsSync(keepsake)).toBe(true);
    expect((await fetch(`${running.apiUrl}/api/health`)).status).toBe(200);
  }, 90_000);

  it('wipes nothing when a port it needs is taken', async () => {
    // prepare: no docdrop on the folder, but its gateway port is taken
    const { dataDir, keepsake } = dataFolder();
    const squatter: Server = await new Promise((ready) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => ready(server));
    });
    const { port } = squatter.address() as { port: number };

    // act
    const started = startLocalSystem({
      ports: { ...FREE_PORTS, gateway: port },
      dataDir,
      persistent: false,
      fresh: true,
    });

    // assess
    await expect(started).rejects.toBeInstanceOf(PortInUseError);
    expect(existsSync(keepsake)).toBe(true);
    await new Promise((done) => squatter.close(done));
  });

  it('lets go of the ports it held when the last one it needs is taken', async () => {
    // prepare: fixed free ports for the gateway and S3, and the Cognito port (claimed last) taken
    const freePort = () =>
      new Promise<number>((ready) => {
        const probe = createServer();
        probe.listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as { port: number };
          probe.close(() => ready(port));
        });
      });
    const [gateway, s3] = [await freePort(), await freePort()];
    const squatter: Server = await new Promise((ready) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => ready(server));
    });
    const { port: cognito } = squatter.address() as { port: number };
    const { dataDir } = dataFolder();

    // act
    const started = startLocalSystem({
      ports: { ...FREE_PORTS, gateway, s3, cognito },
      dataDir,
      persistent: false,
    });

    // assess: refused, and the ports it had claimed before are free again
    await expect(started).rejects.toBeInstanceOf(PortInUseError);
    for (const port of [gateway, s3]) {
      const listening = await new Promise<boolean>((done) => {
        const server = createServer();
        server.once('error', () => done(false));
        server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
      });
      expect(listening, `port ${port}`).toBe(true);
    }
    await new Promise((done) => squatter.close(done));
  });

  it('takes no notice of the pid file of a run that died, and wipes the folder', async () => {
    // prepare: the pid of a process that has exited
    const { dataDir, keepsake } = dataFolder();
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(join(dataDir, 'docdrop.pid'), dead.stdout.trim());

    // act
    const system = await startLocalSystem({ ports: FREE_PORTS, dataDir, persistent: false, fresh: true });
    systems.push(system);

    // assess
    expect(existsSync(keepsake)).toBe(false);
    expect((await fetch(`${system.apiUrl}/api/health`)).status).toBe(200);
    // and a second start on it, in the same process, is refused while it runs
    await expect(startLocalSystem({ ports: FREE_PORTS, dataDir, persistent: false })).rejects.toBeInstanceOf(
      DataDirInUseError,
    );
  }, 90_000);
});
