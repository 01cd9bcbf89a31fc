import { describe, expect, it } from 'vitest';
import { emailFilter, ownsAddress } from '#domain/sharing/user-directory';

describe('emailFilter', () => {
  it('matches one address exactly', () => {
    // act
    const filter = emailFilter('ana@example.test');

    // assess
    expect(filter).toBe('email = "ana@example.test"');
  });

  it('escapes quotes and backslashes, so an address cannot close the value and widen the filter', () => {
    // prepare
    const hostile = 'x" or email ^= "\\';

    // act
    const filter = emailFilter(hostile);

    // assess
    expect(filter).toBe('email = "x\\" or email ^= \\"\\\\"');
    expect(filter.slice('email = "'.length, -1)).not.toMatch(/(^|[^\\])"/);
  });
});

describe('ownsAddress', () => {
  const user = (attributes: Record<string, string>, enabled = true) => ({
    Enabled: enabled,
    Attributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
  });

  it('accepts an enabled user whose address is verified', () => {
    // act
    const owns = ownsAddress(user({ sub: 'u-1', email: 'a@example.test', email_verified: 'true' }));

    // assess
    expect(owns).toBe(true);
  });

  it.each([
    ['an address set and never verified', user({ sub: 'u-1', email: 'a@example.test', email_verified: 'false' })],
    ['no verification state at all', user({ sub: 'u-1', email: 'a@example.test' })],
    ['a disabled user', user({ sub: 'u-1', email: 'a@example.test', email_verified: 'true' }, false)],
    ['no sub', user({ email: 'a@example.test', email_verified: 'true' })],
  ])('refuses %s', (_case, candidate) => {
    // act
    const owns = ownsAddress(candidate);

    // assess
    expect(owns).toBe(false);
  });
});
