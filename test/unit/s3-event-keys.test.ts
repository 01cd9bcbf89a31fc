import { describe, expect, it } from 'vitest';
import { decodeEventKey, encodeEventKey } from '#commons/s3-event-keys';

describe('S3 event keys', () => {
  it('are encoded as S3 writes them: slashes kept, spaces as +, reserved characters escaped', () => {
    // act
    const encoded = encodeEventKey("incoming/o/stray upload (1)+it's*.pdf");

    // assess
    expect(encoded).toBe('incoming/o/stray+upload+%281%29%2Bit%27s%2A.pdf');
  });

  it.each(['incoming/owner/0abc-_DEF', 'incoming/o/a b+c', 'incoming/o/ünïcødé 📄.txt', 'incoming/o/%41 literal'])(
    'decode back to the exact key (%s)',
    (key) => {
      // assess
      expect(decodeEventKey(encodeEventKey(key))).toBe(key);
    },
  );
});
