import { join } from 'node:path';

/**
 * How every docdrop Lambda is bundled, in one place: DocdropFunction hands it to
 * NodejsFunction and `npm run bench` hands it to esbuild's API, so the measured bundle is the
 * deployed one. Plain data: no CDK import, so the benchmark loads it cheaply.
 */
export interface FunctionBundling {
  readonly format: 'esm';
  readonly minify: boolean;
  readonly sourceMap: boolean;
  readonly sourcesContent: boolean;
  readonly target: string;
  readonly mainFields: readonly string[];
  readonly banner: string;
  /** Import paths replaced at build time, by absolute file paths. */
  readonly alias: Readonly<Record<string, string>>;
}

export function functionBundlingOf(projectRoot: string): FunctionBundling {
  return {
    format: 'esm',
    minify: true,
    // Off by measurement (`npm run bench -- --only bundles --source-maps on`): with
    // --enable-source-maps Node reads and parses the map at
    // load, which costs more cold start than readable stack traces are worth; names survive
    // in the minified code's error messages and the logs carry the request context.
    sourceMap: false,
    sourcesContent: false,
    target: 'node22',
    mainFields: ['module', 'main'],
    // Some bundled CommonJS dependencies call require(); ESM has none of its own.
    banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
    alias: {
      '@aws-sdk/credential-provider-node': join(projectRoot, 'functions', 'commons', 'environment-credentials.ts'),
    },
  };
}

/** The environment a bundle needs from its build: only what the bundling itself implies. */
export function bundlingEnvironment(bundling: FunctionBundling): Record<string, string> {
  return bundling.sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {};
}
