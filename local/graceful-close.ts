import type { Server } from 'node:http';

/**
 * Stops taking requests and lets those in flight answer: idle keep-alive connections are closed
 * as they turn idle, and whatever is left after `graceMs` is cut.
 */
export function closeGracefully(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
