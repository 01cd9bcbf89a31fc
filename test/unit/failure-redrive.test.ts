import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { objectCreatedEvent } from '#commons/validation-requests';
import { redriveValidatorFailures } from '#domain/validation/failure-redrive';
import { scanResultEventFor } from '../../local/malware-scanner';

/**
 * The redrive of the validator's failure queue. Nothing local emulates SQS (the local system
 * keeps failures on disk), so the queue here is an in-memory stand-in answering the two calls
 * the redrive makes; what is proved is how Lambda's on-failure records are read and when a
 * message is deleted.
 */

function queueOf(bodies: string[]) {
  const messages = bodies.map((Body, index) => ({ MessageId: `m${index}`, ReceiptHandle: `r${index}`, Body }));
  const deleted: string[] = [];
  let received = false;
  const sqs = {
    async send(command: unknown) {
      if (command instanceof ReceiveMessageCommand) {
        // One batch, then empty (a message not deleted becomes visible again only later).
        if (received) return { Messages: [] };
        received = true;
        return { Messages: messages };
      }
      if (command instanceof DeleteMessageCommand) {
        deleted.push(command.input.ReceiptHandle as string);
        return {};
      }
      throw new Error('unexpected call');
    },
  } as unknown as SQSClient;
  return { queue: { sqs, queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/failures' }, deleted };
}

/** Lambda's on-failure destination record: the original event rides in `requestPayload`. */
const onFailureRecord = (key: string) =>
  JSON.stringify({
    version: '1.0',
    requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
    requestPayload: objectCreatedEvent('docdrop-documents', key),
    responsePayload: { errorType: 'TimeoutError' },
  });

describe('redriving the validator failure queue', () => {
  it('asks the validator again for the key of each failed event, decoded, and then deletes its message', async () => {
    // prepare
    const { queue, deleted } = queueOf([onFailureRecord('incoming/u1/f1'), onFailureRecord('incoming/u 2/f2')]);
    const asked: string[] = [];

    // act
    const redriven = await redriveValidatorFailures(queue, async (key) => {
      asked.push(key);
    });

    // assess
    expect(redriven).toBe(2);
    expect(asked).toEqual(['incoming/u1/f1', 'incoming/u 2/f2']);
    expect(deleted).toEqual(['r0', 'r1']);
  });

  it("asks again for the object of a failed scan result (GuardDuty's event), whose result its tag holds", async () => {
    // prepare
    const scanFailure = JSON.stringify({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: scanResultEventFor('docdrop-documents', 'incoming/u1/f3', 'NO_THREATS_FOUND', []),
    });
    const { queue, deleted } = queueOf([scanFailure]);
    const asked: string[] = [];

    // act
    const redriven = await redriveValidatorFailures(queue, async (key) => {
      asked.push(key);
    });

    // assess
    expect(redriven).toBe(1);
    expect(asked).toEqual(['incoming/u1/f3']);
    expect(deleted).toEqual(['r0']);
  });

  it('keeps a message that is not an on-failure record of an S3 event, for an operator', async () => {
    // prepare
    const { queue, deleted } = queueOf(['not json', JSON.stringify({ requestPayload: { hello: 1 } })]);

    // act
    const redriven = await redriveValidatorFailures(queue, async () => undefined);

    // assess
    expect(redriven).toBe(0);
    expect(deleted).toEqual([]);
  });

  it('keeps the message when asking the validator fails, so a later run tries again', async () => {
    // prepare
    const { queue, deleted } = queueOf([onFailureRecord('incoming/u1/f1')]);

    // act
    const run = redriveValidatorFailures(queue, async () => {
      throw new Error('Lambda throttled');
    });

    // assess
    await expect(run).rejects.toThrow('Lambda throttled');
    expect(deleted).toEqual([]);
  });
});
