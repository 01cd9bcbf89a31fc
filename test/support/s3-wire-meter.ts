import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of the S3 emulator that records each request made through it
 * and how many body bytes S3 answered: what a function really reads, measured on the wire.
 * The SDK signs the proxy's host, which the proxy passes on unchanged, so signatures hold.
 */
export interface S3Exchange {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly range?: string;
  readonly status: number;
  readonly responseBytes: number;
}

export interface S3WireMeter {
  readonly endpoint: string;
  readonly exchanges: readonly S3Exchange[];
  reset(): void;
  stop(): Promise<void>;
}

export async function startS3WireMeter(target: string): Promise<S3WireMeter> {
  let exchanges: S3Exchange[] = [];
  const to = new URL(target);
  const server: Server = createServer((incoming, outgoing) => {
    const forward = request(
      { host: to.hostname, port: to.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        let responseBytes = 0;
        answer.on('data', (chunk: Buffer) => {
          responseBytes += chunk.length;
        });
        answer.on('end', () => {
          const range = incoming.headers.range;
          exchanges.push({
            method: incoming.method ?? '',
            url: incoming.url ?? '',
            ...(range ? { range } : {}),
            status: answer.statusCode ?? 0,
            responseBytes,
          });
        });
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get exchanges() {
      return exchanges;
    },
    reset: () => {
      exchanges = [];
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
