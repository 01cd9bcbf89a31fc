import { describe, expect, it } from 'vitest';
import { totpCode } from '../live/client';

// RFC 6238 appendix B, SHA-1: the secret "12345678901234567890" (base32 below); the codes are the last 6 of its 8 digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe("the smoke suite's TOTP codes (for a pool that requires MFA)", () => {
  it.each([
    [59, '287082'],
    [1_111_111_109, '081804'],
    [1_234_567_890, '005924'],
    [2_000_000_000, '279037'],
  ])('at %i s answers the RFC 6238 code %s', (seconds, code) => {
    expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(code);
  });

  it('reads the secret as Cognito hands it out or as a person copies it (lower case, spaced, padded)', () => {
    expect(totpCode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq====', 59_000)).toBe('287082');
  });

  it('refuses a secret that is not base32', () => {
    expect(() => totpCode('not base32!', 59_000)).toThrow('not base32');
  });
});
