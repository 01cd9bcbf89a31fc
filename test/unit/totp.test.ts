import { describe, expect, it } from 'vitest';
import { totpCode } from '../support/totp';

/** The browser tests' authenticator app: RFC 6238's own test vectors (appendix B, SHA-1), to six digits. */
describe('totpCode (test/support/totp.ts)', () => {
  // "12345678901234567890" in base32.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('at %i s gives %s', (seconds, code) => {
    expect(totpCode(secret, seconds * 1000)).toBe(code);
  });

  it('ignores the spaces the page groups the key with', () => {
    expect(totpCode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ', 59_000)).toBe('287082');
  });
});
