import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { noticeMaxReceives } from '#contracts/functions';

/**
 * The notice queue locally (no SQS emulator here): SQS's SendMessage over HTTP, so the
 * validator's unchanged `@aws-sdk/client-sqs` call works, and an in-process queue with the
 * semantics the sender relies on: messages handed to `send-notices` in batches of up to 10 as
 * SQS-shaped events; a message the handler reports in `batchItemFailures` (or every message of a
 * batch that threw) is received again after the visibility timeout; after `noticeMaxReceives`
 * receives it goes to the dead-letter list, logged as critical. Messages wait in
 * `<dataDir>/notice-queue/` until handled, so a stop loses none.
 */
export interface LocalNoticeQueue {
  /** The SQS endpoint (SQS_ENDPOINT) and the queue's URL (NOTICE_QUEUE_URL). */
  readonly endpoint: string;
  readonly queueUrl: string;
  /** Starts handing out messages: the handler is imported once the queue's address is in the environment. */
  start(): void;
  /** Resolves when no message is waiting or being handled. */
  idle(): Promise<void>;
  /** Receives that ended in a failure so far (tests wait for one). */
  failedReceives(): number;
  /** Messages that failed every receive. */
  deadLetters(): readonly QueuedMessage[];
  stop(): Promise<void>;
}

export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receives: number;
}

export type NoticeHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

const logger = new Logger({ serviceName: 'local-notice-queue' });
const QUEUE_NAME = 'docdrop-local-notices';
const BATCH_SIZE = 10;

export async function startNoticeQueue(options: {
  readonly directory: string;
  readonly region: string;
  readonly handler: () => NoticeHandler | undefined;
  /** SQS's visibility timeout: how long a failed message waits before it is received again (tests shorten it). */
  readonly visibilityTimeoutMs: number;
}): Promise<LocalNoticeQueue> {
  mkdirSync(options.directory, { recursive: true });
  const waiting: QueuedMessage[] = [];
  const dead: QueuedMessage[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = 0;
  let failed = 0;
  let stopping = false;
  let idleWaiters: (() => void)[] = [];
  const fileOf = (message: QueuedMessage) => join(options.directory, `${message.messageId}.json`);
  const save = (message: QueuedMessage) => {
    const partial = `${fileOf(message)}.partial`;
    writeFileSync(partial, JSON.stringify(message));
    renameSync(partial, fileOf(message));
  };
  const settleIdle = () => {
    if (running === 0 && waiting.length === 0 && timers.size === 0) {
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    }
  };

  const pump = () => {
    const handler = options.handler();
    if (stopping || !handler || waiting.length === 0) {
      settleIdle();
      return;
    }
    const batch = waiting.splice(0, BATCH_SIZE);
    running += 1;
    void receive(handler, batch).finally(() => {
      running -= 1;
      pump();
      settleIdle();
    });
  };

  const receive = async (handler: NoticeHandler, batch: QueuedMessage[]) => {
    for (const message of batch) message.receives += 1;
    let failedIds: Set<string>;
    try {
      const response = await handler(sqsEvent(batch, options.region));
      failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      logger.error('send-notices failed the whole batch', { error: error as Error });
      failedIds = new Set(batch.map((message) => message.messageId));
    }
    for (const message of batch) {
      if (!failedIds.has(message.messageId)) {
        rmSync(fileOf(message), { force: true });
        continue;
      }
      failed += 1;
      if (message.receives >= noticeMaxReceives) {
        dead.push(message);
        rmSync(fileOf(message), { force: true });
        logger.critical('a notice failed every receive and went to the dead-letter list', {
          messageId: message.messageId,
          receives: message.receives,
        });
        continue;
      }
      save(message);
      const timer = setTimeout(() => {
        timers.delete(timer);
        waiting.push(message);
        pump();
      }, options.visibilityTimeoutMs);
      timers.add(timer);
    }
  };

  // Messages a stopped run left: received again now.
  for (const name of readdirSync(options.directory).filter((file) => file.endsWith('.json'))) {
    waiting.push(JSON.parse(readFileSync(join(options.directory, name), 'utf8')) as QueuedMessage);
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify(body));
      };
      if (request.headers['x-amz-target'] !== 'AmazonSQS.SendMessage') {
        return answer(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: 'Only SendMessage is emulated.' });
      }
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { QueueUrl?: string; MessageBody?: string };
      if (input.QueueUrl !== queueUrl) {
        return answer(400, {
          __type: 'com.amazonaws.sqs#QueueDoesNotExist',
          message: 'The specified queue does not exist.',
        });
      }
      const message: QueuedMessage = {
        messageId: randomUUID(),
        body: input.MessageBody ?? '',
        sentAt: Date.now(),
        receives: 0,
      };
      // On disk before the answer, as SQS stores a message before it says so.
      save(message);
      waiting.push(message);
      answer(200, { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) });
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const queueUrl = `${endpoint}/000000000000/${QUEUE_NAME}`;
  return {
    endpoint,
    queueUrl,
    start: pump,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        pump();
      }),
    failedReceives: () => failed,
    deadLetters: () => dead,
    async stop() {
      stopping = true;
      // Messages waiting for redelivery stay on disk for the next run.
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      while (running > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
  };
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function sqsEvent(batch: readonly QueuedMessage[], region: string): SQSEvent {
  return {
    Records: batch.map((message) => ({
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receives}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receives),
        SentTimestamp: String(message.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${region}:000000000000:${QUEUE_NAME}`,
      awsRegion: region,
    })),
  };
}
