import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';

/** An asynchronous invocation that failed every attempt: the local failure destination, one file each. */
export interface FailedInvocation {
  readonly id: string;
  readonly functionName: string;
  readonly event: S3Event;
  /** The object keys of the event's records, as S3 sent them (URL-encoded). */
  readonly keys: readonly string[];
  readonly error: string;
  readonly failedAt: string;
  /** Attempts so far, replays included. */
  readonly attempts: number;
}

export interface FailedInvocationStore {
  readonly directory: string;
  save(invocation: FailedInvocation): void;
  list(): FailedInvocation[];
  remove(id: string): void;
}

/** The keys an event is about: an S3 event's records, or a scan result's one object (see malware-scanner.ts). */
export const keysOf = (event: S3Event): string[] => {
  const scanned = (event as unknown as { detail?: { s3ObjectDetails?: { objectKey?: string } } }).detail;
  if (scanned?.s3ObjectDetails?.objectKey) return [scanned.s3ObjectDetails.objectKey];
  return event.Records.map((record) => record.s3.object.key);
};

/**
 * Failed invocations kept under `<dataDir>/failed-invocations/<id>.json`, so a crash or a stop
 * loses none: written to a temporary name and renamed, so a file is never half written.
 */
export function failedInvocationStore(directory: string): FailedInvocationStore {
  mkdirSync(directory, { recursive: true });
  const pathOf = (id: string) => join(directory, `${id}.json`);
  return {
    directory,
    save(invocation) {
      const temporary = join(directory, `.${invocation.id}.tmp`);
      writeFileSync(temporary, `${JSON.stringify(invocation, null, 2)}\n`);
      renameSync(temporary, pathOf(invocation.id));
    },
    list() {
      return readdirSync(directory)
        .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
        .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as FailedInvocation)
        .sort((a, b) => a.failedAt.localeCompare(b.failedAt));
    },
    remove(id) {
      rmSync(pathOf(id), { force: true });
    },
  };
}
