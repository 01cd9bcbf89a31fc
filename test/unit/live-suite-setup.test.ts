import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run test:live without DOCDROP_URL', () => {
  it('says what to set and exits non-zero, running no case', () => {
    // prepare: none of the suite's settings, whatever this shell has
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('DOCDROP_')));

    // act
    const run = spawnSync('npm', ['run', 'test:live'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });

    // assess
    expect(run.status).not.toBe(0);
    const output = run.stdout + run.stderr;
    for (const name of ['DOCDROP_URL', 'DOCDROP_OWNER_EMAIL', 'DOCDROP_OWNER_PASSWORD', 'DOCDROP_OTHER_OWNER_EMAIL']) {
      expect(output).toContain(name);
    }
    expect(output).toContain('After cdk deploy: the smoke suite');
    expect(output).not.toContain('Test Files  1 passed');
  }, 60_000);
});
