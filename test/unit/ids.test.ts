import { describe, expect, it } from 'vitest';
import { hashToken, linkIdOfToken, newFileId, newLinkId, newLinkToken, tokenMatchesHash } from '#commons/ids';

describe('file ids', () => {
  it('sort in the order they were created', () => {
    // prepare
    const times = [0, 1, 35, 36, 1_000, 1_700_000_000_000, 1_700_000_000_001, 4_000_000_000_000];

    // act
    const ids = times.map((time) => newFileId(time));

    // assess
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('are unique within the same millisecond', () => {
    // act
    const ids = Array.from({ length: 1_000 }, () => newFileId(1_700_000_000_000));

    // assess
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are path-safe and fit the id schema', () => {
    // act
    const id = newFileId();

    // assess
    expect(id).toMatch(/^[0-9a-z]{9}[A-Za-z0-9_-]{14}$/);
  });
});

describe('link tokens', () => {
  it('are the link id, a dot and 256 random bits in base64url', () => {
    // prepare
    const linkId = newLinkId();

    // act
    const token = newLinkToken(linkId);

    // assess
    expect(linkId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`${linkId}.`)).toBe(true);
    expect(Buffer.from(token.split('.')[1] as string, 'base64url')).toHaveLength(32);
  });

  it('differ every time, even for the same link', () => {
    // prepare
    const linkId = newLinkId();

    // act
    const tokens = Array.from({ length: 100 }, () => newLinkToken(linkId));

    // assess
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('name their link id', () => {
    // prepare
    const linkId = newLinkId();
    const token = newLinkToken(linkId);

    // act
    const named = linkIdOfToken(token);

    // assess
    expect(named).toBe(linkId);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'A'.repeat(60)],
    ['short link id', `${'A'.repeat(15)}.${'B'.repeat(43)}`],
    ['long link id', `${'A'.repeat(17)}.${'B'.repeat(43)}`],
    ['short secret', `${'A'.repeat(16)}.${'B'.repeat(42)}`],
    ['long secret', `${'A'.repeat(16)}.${'B'.repeat(44)}`],
    ['standard base64 characters', `${'A'.repeat(15)}+.${'B'.repeat(42)}/`],
    ['padding', `${'A'.repeat(16)}.${'B'.repeat(42)}=`],
    ['trailing newline', `${'A'.repeat(16)}.${'B'.repeat(43)}\n`],
    ['leading space', ` ${'A'.repeat(16)}.${'B'.repeat(43)}`],
    ['two dots', `${'A'.repeat(16)}..${'B'.repeat(42)}`],
    ['path traversal', `../../${'A'.repeat(10)}.${'B'.repeat(43)}`],
    ['unicode', `${'Ä'.repeat(16)}.${'B'.repeat(43)}`],
  ])('rejects a malformed token (%s)', (_case, token) => {
    // act
    const named = linkIdOfToken(token);

    // assess
    expect(named).toBeUndefined();
  });

  it('match their own stored hash', () => {
    // prepare
    const token = newLinkToken(newLinkId());
    const stored = hashToken(token);

    // act
    const matches = tokenMatchesHash(token, stored);

    // assess
    expect(matches).toBe(true);
  });

  it('do not match the hash of another token of the same link', () => {
    // prepare
    const linkId = newLinkId();
    const stored = hashToken(newLinkToken(linkId));

    // act
    const matches = tokenMatchesHash(newLinkToken(linkId), stored);

    // assess
    expect(matches).toBe(false);
  });

  it('do not match a stored hash of another length, without throwing', () => {
    // prepare
    const token = newLinkToken(newLinkId());

    // act
    const results = ['', 'short', `${hashToken(token)}x`].map((stored) => tokenMatchesHash(token, stored));

    // assess
    expect(results).toEqual([false, false, false]);
  });

  it('are stored as a hash that does not contain the token', () => {
    // prepare
    const token = newLinkToken(newLinkId());

    // act
    const stored = hashToken(token);

    // assess
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(token.split('.')[1]);
  });
});
