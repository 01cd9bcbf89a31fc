import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of DynamoDB Local that counts the calls made through it, by
 * operation and table: what a use case really costs, measured on the wire rather than guessed.
 * The handlers reach it through DYNAMODB_ENDPOINT; the target is set once the emulator is up.
 */
export interface DynamoCall {
  readonly operation: string;
  readonly table?: string;
}

export interface CountingProxy {
  readonly endpoint: string;
  /** Where calls go: DynamoDB Local's endpoint. Calls made before it is set wait for it. */
  target: string;
  /** Every call since the last `reset`, in arrival order. */
  readonly calls: readonly DynamoCall[];
  reset(): void;
  stop(): Promise<void>;
}

function tableOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { TableName?: string; TransactItems?: Record<string, { TableName?: string }>[] };
    if (parsed.TableName) return parsed.TableName;
    // A transaction names several tables: counted once, under the first.
    const first = parsed.TransactItems?.[0];
    return first ? Object.values(first)[0]?.TableName : undefined;
  } catch {
    return undefined;
  }
}

export async function startCountingProxy(): Promise<CountingProxy> {
  let calls: DynamoCall[] = [];
  let target = '';
  let targetSet: () => void;
  const targetKnown = new Promise<void>((resolve) => {
    targetSet = resolve;
  });
  const proxy: CountingProxy = {
    endpoint: '',
    get target() {
      return target;
    },
    set target(endpoint: string) {
      target = endpoint;
      targetSet();
    },
    get calls() {
      return calls;
    },
    reset: () => {
      calls = [];
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', async () => {
      await targetKnown;
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
      const table = tableOf(body.toString('utf8'));
      calls.push({ operation, ...(table ? { table } : {}) });
      const target = new URL(proxy.target);
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (proxy as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
