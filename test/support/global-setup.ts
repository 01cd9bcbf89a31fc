import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { SystemAddresses } from '../../local/environment';
import { startLocalSystem } from '../../local/system';

export interface SystemInfo extends SystemAddresses {
  /** The cognito-local data folder: its signing key is what a forged token must not match. */
  readonly dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    system: SystemInfo;
  }
}

/**
 * Starts the whole local system once, on free ports and in a scratch folder (DynamoDB in
 * memory), exactly as `npm start` does but never on its ports.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'docdrop-test-'));
  const system = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
  });
  project.provide('system', {
    apiUrl: system.apiUrl,
    lambdaEndpoint: system.lambdaEndpoint,
    s3Endpoint: system.s3Endpoint,
    dynamodbEndpoint: system.dynamodbEndpoint,
    cognitoEndpoint: system.cognitoEndpoint,
    userPoolId: system.userPoolId,
    userPoolClientId: system.userPoolClientId,
    bucket: system.bucket,
    region: system.region,
    tableNames: system.tableNames,
    sqsEndpoint: system.sqsEndpoint,
    noticeQueueUrl: system.noticeQueueUrl,
    mailDir: system.mailDir,
    dataDir,
  });
  return async () => {
    await system.stop();
    const failed = system.failedInvocations();
    if (failed.length > 0) {
      console.error(`validator gave up on ${failed.length} event(s): ${failed.flatMap((f) => f.keys).join(', ')}`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
}
