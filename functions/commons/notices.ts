import { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { backgroundCalls } from '#contracts/limits';
import type { NoticeQueue } from '#domain/links/arrival-notices';
import type { DigestDeps, NoticeSenderDeps } from '#domain/notices/recipients';
import { boundedCalls } from './call-bounds';
import { traced } from './client-tracing';
import { createDocumentClient } from './clients';
import { readConfig } from './config';
import { linksFromEnvironment } from './links';
import { mailTransportFromEnvironment } from './mail';
import { userDirectoryFromEnvironment } from './user-directory';

/** The validator's side of the notice queue: one SQS message per notice, its body the notice as JSON. */
export function noticeQueueFromEnvironment(): NoticeQueue {
  const { AWS_REGION, NOTICE_QUEUE_URL, SQS_ENDPOINT } = readConfig('AWS_REGION', 'NOTICE_QUEUE_URL', 'SQS_ENDPOINT');
  const client = traced(
    new SQSClient({
      region: AWS_REGION,
      ...boundedCalls(backgroundCalls),
      ...(SQS_ENDPOINT ? { endpoint: SQS_ENDPOINT } : {}),
    }),
  );
  return {
    async enqueue(notice) {
      await client.send(new SendMessageCommand({ QueueUrl: NOTICE_QUEUE_URL, MessageBody: JSON.stringify(notice) }));
    },
  };
}

/** What the daily digest touches, from this function's environment. */
export function digestSenderFromEnvironment(db = createDocumentClient(backgroundCalls)): DigestDeps {
  const { NOTICES_TABLE, FILES_TABLE, WEB_BASE_URL } = readConfig('NOTICES_TABLE', 'FILES_TABLE', 'WEB_BASE_URL');
  const mail = mailTransportFromEnvironment();
  return {
    notices: { db, tableName: NOTICES_TABLE },
    files: { db, tableName: FILES_TABLE },
    directory: userDirectoryFromEnvironment(),
    ...(mail ? { mail } : {}),
    portalUrl: `${WEB_BASE_URL}/`,
  };
}

/** What the notice sender touches: the digest's, plus link labels and the operators' topic. */
export function noticeSenderFromEnvironment(db = createDocumentClient(backgroundCalls)): NoticeSenderDeps {
  const { AWS_REGION, NOTIFICATION_TOPIC_ARN } = readConfig('AWS_REGION', 'NOTIFICATION_TOPIC_ARN');
  return {
    ...digestSenderFromEnvironment(db),
    links: linksFromEnvironment(db),
    ...(NOTIFICATION_TOPIC_ARN
      ? {
          topic: {
            client: traced(new SNSClient({ region: AWS_REGION, ...boundedCalls(backgroundCalls) })),
            topicArn: NOTIFICATION_TOPIC_ARN,
          },
        }
      : {}),
  };
}
