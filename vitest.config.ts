import { defineConfig } from 'vitest/config';

// Handler and gateway logs during tests: warnings and errors only (set before the system starts),
// and no metric lines; the tests of what handlers print turn both back on for their own handlers.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * Integration tests whose answers are timed: 200-client races within the API's 5 s deadline,
 * 503s within their bound while DynamoDB is paused, functions ended at their timeout. They run
 * last, one file at a time, with nothing else on the 2 cores (the `timing` project).
 */
const TIMED = [
  'test/integration/link-races.test.ts',
  'test/integration/dependency-stall.test.ts',
  'test/integration/function-timeouts.test.ts',
];

export default defineConfig({
  test: {
    // Node's own sockets and timers; no jsdom.
    environment: 'node',
    // Vitest's default on 2 cores is one worker (cores - 1), and most test time is waiting on
    // emulators, a browser or a child process: three files at once keep both cores busy.
    maxWorkers: 3,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // The integration setup runs the local system in the main process, which sets this for
          // Powertools' per-invocation log context; unit tests call handlers outside any invocation.
          env: { AWS_LAMBDA_MAX_CONCURRENCY: '' },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: [...TIMED],
          // One local system (real emulators on free ports) for the whole run.
          globalSetup: ['test/support/global-setup.ts'],
          // Workers that call handler modules themselves get the InvokeStore Lambda's runtime would create.
          setupFiles: ['test/support/lambda-runtime.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          // Beside a 150 MB upload or a browser on 2 cores, a timed answer measures the neighbours.
          name: 'timing',
          include: [...TIMED],
          fileParallelism: false,
          globalSetup: ['test/support/global-setup.ts'],
          setupFiles: ['test/support/lambda-runtime.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // `npm start` in a child process on free ports, and Debian's Chromium driven by playwright-core.
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 90_000,
        },
      },
      {
        extends: true,
        test: {
          // The black-box smoke suite: against DOCDROP_URL, or `npm start` in a child process when none is given.
          name: 'live',
          include: ['test/live/**/*.test.ts'],
          globalSetup: ['test/support/live-setup.ts'],
          setupFiles: ['test/support/live-environment.ts'],
          // Above the longest wait a case makes on a deployed stack (a file's verdict, scan included:
          // DOCDROP_VERDICT_SECONDS, 180 by default); each wait polls, never sleeps blind.
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // Synthesising the stack (and, once, the real CLI with esbuild) takes seconds, not milliseconds.
          testTimeout: 120_000,
          env: { AWS_LAMBDA_MAX_CONCURRENCY: '' },
        },
      },
    ],
  },
});
