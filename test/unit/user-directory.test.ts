import { describe, expect, it } from 'vitest';
import { emailFilter } from '#domain/sharing/user-directory';

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
