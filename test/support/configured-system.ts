import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedOwner, signIn } from '../../local/owners';
import { type LocalSystem, type LocalSystemOptions, startLocalSystem } from '../../local/system';

/**
 * A local system of a test's own (its own emulators on free ports, in a scratch folder), for
 * tests that change its configuration, and one signed-in owner on it.
 */
export interface ConfiguredSystem {
  readonly local: LocalSystem;
  readonly owner: { readonly sub: string; readonly idToken: string };
  /** Calls its API as a browser or curl would; the body parsed when there is one. */
  call(
    method: string,
    path: string,
    options?: { token?: string; uploadToken?: string; body?: unknown },
  ): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startConfiguredSystem(
  name: string,
  options: Omit<LocalSystemOptions, 'ports' | 'dataDir' | 'persistent'>,
): Promise<ConfiguredSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), `lifecycle-${name}-`));
  const local = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
    ...options,
  });
  const credentials = { email: `${name}-owner@example.test`, password: `Pw-${name}-owner-A1!` };
  await seedOwner(local, credentials);
  const { idToken } = await signIn(local, credentials);
  const sub = JSON.parse(Buffer.from(idToken.split('.')[1] as string, 'base64url').toString()).sub as string;
  return {
    local,
    owner: { sub, idToken },
    async call(method, path, request = {}) {
      const response = await fetch(`${local.apiUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
          ...(request.uploadToken ? { 'x-upload-token': request.uploadToken } : {}),
        },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async stop() {
      // What the last test set going (a validation it asked for) finishes before the emulators stop.
      await local.validatorIdle();
      await local.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
