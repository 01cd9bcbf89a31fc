import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (lib/constructs/function-bundling.ts):
 * Lambda hands a function its role's credentials in the environment, so the default chain's
 * STS, SSO and OIDC clients (~93 KiB) would never run. Unbundled (tsx, tests) the SDK keeps its own chain.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
