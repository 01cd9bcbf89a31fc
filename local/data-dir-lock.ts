import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Another docdrop (alive) runs on this data folder. */
export class DataDirInUseError extends Error {}

const lockFile = (dataDir: string): string => join(dataDir, 'docdrop.pid');

/** The live process that holds the data folder, if any: a pid file left by a crashed run holds nothing. */
function holder(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(lockFile(dataDir), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

/** Refuses a data folder a live docdrop runs on: before anything wipes it or stops its DynamoDB. */
export function assertDataDirFree(dataDir: string): void {
  const pid = holder(dataDir);
  if (pid === undefined) return;
  throw new DataDirInUseError(
    `The data folder ${dataDir} is in use by a running docdrop (pid ${pid}); nothing was changed. ` +
      `Stop it first, or use --data-dir <another folder>. (If no docdrop runs, delete ${lockFile(dataDir)}.)`,
  );
}

/** Marks the data folder as this process's until the returned release is called. */
export function claimDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(lockFile(dataDir), String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Someone claimed it since the first check, or a crashed run left its file.
    assertDataDirFree(dataDir);
    writeFileSync(lockFile(dataDir), String(process.pid));
  }
  return () => {
    if (holder(dataDir) === process.pid) rmSync(lockFile(dataDir), { force: true });
  };
}
