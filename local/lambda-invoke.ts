import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { S3Event } from 'aws-lambda';

/**
 * Lambda's Invoke API for the validator alone, so the unchanged `@aws-sdk/client-lambda`
 * InvokeCommand of the sweep and of confirm works locally over HTTP. Only asynchronous
 * invocations (`X-Amz-Invocation-Type: Event`) are taken, as the functions make no other:
 * the event goes to the local async-invocation bridge, which retries it as Lambda does, and
 * the answer is Lambda's 202 with no body.
 */
export interface LocalLambdaInvoke {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export async function startLambdaInvoke(options: {
  readonly functionName: string;
  readonly deliver: (event: S3Event) => void;
}): Promise<LocalLambdaInvoke> {
  const server = createServer((request, response) => {
    const answer = (status: number, type?: string, message?: string) => {
      response.writeHead(status, {
        'content-type': 'application/json',
        ...(type ? { 'x-amzn-errortype': type } : {}),
      });
      response.end(message ? JSON.stringify({ Type: 'User', message }) : undefined);
    };
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const name = INVOKE_PATH.exec(request.url?.split('?')[0] ?? '')?.[1];
      if (request.method !== 'POST' || !name) return answer(404, 'ResourceNotFoundException', 'No such API.');
      if (decodeURIComponent(name) !== options.functionName) {
        return answer(404, 'ResourceNotFoundException', `Function not found: ${decodeURIComponent(name)}`);
      }
      if (request.headers['x-amz-invocation-type'] !== 'Event') {
        return answer(400, 'InvalidParameterValueException', 'Only asynchronous invocations (Event) are emulated.');
      }
      let event: S3Event;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as S3Event;
      } catch {
        return answer(400, 'InvalidRequestContentException', 'Could not parse request body into json.');
      }
      options.deliver(event);
      answer(202);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
