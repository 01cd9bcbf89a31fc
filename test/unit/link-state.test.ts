import { describe, expect, it } from 'vitest';
import { Gone } from '#commons/errors';
import { assertLinkActive, linkState, type UploadLink } from '#domain/links/upload-links';

const EXPIRY = new Date('2030-01-01T12:00:00.000Z');

function link(overrides: Partial<UploadLink> = {}): UploadLink {
  return {
    linkId: 'AAAAAAAAAAAAAAAA',
    ownerId: 'owner-1',
    tokenHash: 'hash',
    label: 'Tax documents',
    createdAt: '2029-12-29T12:00:00.000Z',
    expiresAt: EXPIRY.toISOString(),
    expiresAtEpoch: EXPIRY.getTime() / 1000,
    maxUploads: 3,
    usesTaken: 0,
    maxBytes: 1024,
    allowedTypes: ['application/pdf'],
    ...overrides,
  };
}

const before = new Date(EXPIRY.getTime() - 60_000);
const after = new Date(EXPIRY.getTime() + 60_000);

describe('linkState', () => {
  it('is active before expiry with uses left', () => {
    // act
    const state = linkState(link({ usesTaken: 2 }), before);

    // assess
    expect(state).toBe('active');
  });

  it('is expired from the expiry second on', () => {
    // act
    const atExpiry = linkState(link(), EXPIRY);
    const lateInExpirySecond = linkState(link(), new Date(EXPIRY.getTime() + 999));

    // assess
    expect(atExpiry).toBe('expired');
    expect(lateInExpirySecond).toBe('expired');
  });

  it('is still active in the last millisecond before the expiry second', () => {
    // act
    const state = linkState(link(), new Date(EXPIRY.getTime() - 1));

    // assess
    expect(state).toBe('active');
  });

  it('is expired by its own clock even when TTL has not removed it yet', () => {
    // act
    const state = linkState(link(), new Date(EXPIRY.getTime() + 47 * 3_600_000));

    // assess
    expect(state).toBe('expired');
  });

  it('is used up once every use is taken', () => {
    // act
    const state = linkState(link({ usesTaken: 3 }), before);

    // assess
    expect(state).toBe('used-up');
  });

  it('is used up when more uses were taken than allowed', () => {
    // act
    const state = linkState(link({ usesTaken: 4 }), before);

    // assess
    expect(state).toBe('used-up');
  });

  it('is revoked before anything else, even when also expired and used up', () => {
    // act
    const state = linkState(link({ revokedAt: '2029-12-30T00:00:00.000Z', usesTaken: 3 }), after);

    // assess
    expect(state).toBe('revoked');
  });

  it('is expired rather than used up when both hold', () => {
    // act
    const state = linkState(link({ usesTaken: 3 }), after);

    // assess
    expect(state).toBe('expired');
  });
});

describe('assertLinkActive', () => {
  it('lets an active link through', () => {
    // act
    const assert = () => assertLinkActive(link(), before);

    // assess
    expect(assert).not.toThrow();
  });

  it.each([
    ['revoked', link({ revokedAt: '2029-12-30T00:00:00.000Z' }), before, 'link_revoked'],
    ['expired', link(), after, 'link_expired'],
    ['used up', link({ usesTaken: 3 }), before, 'link_used_up'],
  ])('refuses a %s link as gone', (_case, candidate, now, code) => {
    // act
    const assert = () => assertLinkActive(candidate, now);

    // assess
    expect(assert).toThrow(Gone);
    expect(assert).toThrow(expect.objectContaining({ status: 410, code }));
  });
});
