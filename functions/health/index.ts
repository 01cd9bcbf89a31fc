import { createAuthenticator } from '#commons/authenticate';
import { httpHandler } from '#commons/http';
import { health as operation } from '#contracts/api/account';

export const handler = httpHandler({ ...operation, authenticate: createAuthenticator({}) }, async () => ({
  status: 200,
  body: { status: 'ok' },
}));
