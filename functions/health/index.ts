import { createAuthenticator } from '#commons/authenticate';
import { httpHandler } from '#commons/http';

export const handler = httpHandler({ authenticate: createAuthenticator({}) }, async () => ({
  status: 200,
  body: { status: 'ok' },
}));
