import { describe, expect, it } from 'vitest';
import { s3EventSchema } from '#commons/s3-events';

const record = {
  eventName: 'ObjectCreated:Put',
  s3: { bucket: { name: 'docs' }, object: { key: 'incoming/owner/file', size: 10, sequencer: '0' } },
  requestParameters: { sourceIPAddress: '203.0.113.7' },
};

describe('s3EventSchema', () => {
  it('reads the event name, bucket, key and sender of each record, and lets other fields pass', () => {
    // act
    const parsed = s3EventSchema.parse({ Records: [{ ...record, eventVersion: '2.1', awsRegion: 'eu-west-1' }] });

    // assess
    expect(parsed.Records).toEqual([
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'docs' }, object: { key: 'incoming/owner/file', size: 10 } },
        requestParameters: { sourceIPAddress: '203.0.113.7' },
      },
    ]);
  });

  it('refuses an event without records', () => {
    // act
    const result = s3EventSchema.safeParse({ Records: [] });

    // assess
    expect(result.success).toBe(false);
  });

  it('refuses a record with an empty key', () => {
    // act
    const result = s3EventSchema.safeParse({ Records: [{ ...record, s3: { ...record.s3, object: { key: '' } } }] });

    // assess
    expect(result.success).toBe(false);
  });

  it('refuses a sender address longer than any IP address could be', () => {
    // act
    const result = s3EventSchema.safeParse({
      Records: [{ ...record, requestParameters: { sourceIPAddress: 'x'.repeat(65) } }],
    });

    // assess
    expect(result.success).toBe(false);
  });
});
