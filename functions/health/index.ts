import { createAuthenticator } from '#commons/authenticate';
import { ServiceUnavailable } from '#commons/errors';
import { dependencyChecksFromEnvironment } from '#commons/health';
import { httpHandler } from '#commons/http';
import { logger } from '#commons/logger';
import { health as operation } from '#contracts/api/account';
import { dependencyCalls } from '#contracts/limits';
import { checkDependencies } from '#domain/health/dependencies';

const checks = dependencyChecksFromEnvironment();

export const handler = httpHandler({ ...operation, authenticate: createAuthenticator({}) }, async () => {
  const dependencies = await checkDependencies(checks, dependencyCalls.healthCheckTimeoutMs, (name, error) =>
    logger.warn('dependency check failed', { dependency: name, error: error as Error }),
  );
  const down = Object.entries(dependencies).filter(([, state]) => state !== 'ok');
  if (down.length > 0) {
    throw new ServiceUnavailable(`Not answering: ${down.map(([name]) => name).join(', ')}.`);
  }
  return { status: 200, body: { status: 'ok', dependencies } };
});
