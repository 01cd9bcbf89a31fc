import { describe, expect, it } from 'vitest';
import { Gone } from '#commons/errors';
import type { FileRecord } from '#domain/drive/file-records';
import { describeLinkForClient, describeNewLink, linkUrl, type UploadLink } from '#domain/links/upload-links';
import { uploadOutcome } from '#domain/uploads/confirm-upload';

const EXPIRY = new Date('2030-01-01T12:00:00.000Z');
const before = new Date(EXPIRY.getTime() - 60_000);

function link(overrides: Partial<UploadLink> = {}): UploadLink {
  return {
    linkId: 'AAAAAAAAAAAAAAAA',
    ownerId: 'owner-1',
    tokenHash: 'secret-hash',
    label: 'Tax documents',
    createdAt: '2029-12-29T12:00:00.000Z',
    expiresAt: EXPIRY.toISOString(),
    expiresAtEpoch: EXPIRY.getTime() / 1000,
    maxUploads: 3,
    usesTaken: 1,
    maxBytes: 1024,
    allowedTypes: ['application/pdf'],
    ...overrides,
  };
}

describe('linkUrl', () => {
  it('puts the token in the fragment of the drop page, which browsers never send to a server', () => {
    // act
    const url = linkUrl('https://docs.example.com', 'tok.en');

    // assess
    expect(url).toBe('https://docs.example.com/u/#tok.en');
  });
});

describe('describeNewLink', () => {
  it('answers the token and its URL with the link’s limits, and never the token’s hash', () => {
    // act
    const described = describeNewLink(link(), 'the-token', 'https://docs.example.com');

    // assess
    expect(described).toEqual({
      linkId: 'AAAAAAAAAAAAAAAA',
      label: 'Tax documents',
      token: 'the-token',
      url: 'https://docs.example.com/u/#the-token',
      expiresAt: EXPIRY.toISOString(),
      maxUploads: 3,
      maxBytes: 1024,
      allowedTypes: ['application/pdf'],
    });
    expect(JSON.stringify(described)).not.toContain('secret-hash');
  });
});

describe('describeLinkForClient', () => {
  it('tells a client what an active link still accepts, and nothing about its owner', () => {
    // act
    const described = describeLinkForClient(link(), before);

    // assess
    expect(described).toEqual({
      label: 'Tax documents',
      uploadsLeft: 2,
      maxBytes: 1024,
      allowedTypes: ['application/pdf'],
      expiresAt: EXPIRY.toISOString(),
    });
  });

  it.each([
    ['expired', link(), EXPIRY, 'link_expired'],
    ['used up', link({ usesTaken: 3 }), before, 'link_used_up'],
    ['revoked', link({ revokedAt: before.toISOString() }), before, 'link_revoked'],
  ])('refuses to describe a link that is %s', (_state, subject, now, code) => {
    // act
    const act = () => describeLinkForClient(subject, now);

    // assess
    expect(act).toThrow(Gone);
    expect(act).toThrow(expect.objectContaining({ code }));
  });
});

describe('uploadOutcome', () => {
  const file = { fileId: 'F1', status: 'clean' } as FileRecord;

  it('answers the status alone for a file that passed', () => {
    // assess
    expect(uploadOutcome(file)).toEqual({ status: 'clean' });
  });

  it('answers the reason beside the status for a file that was rejected', () => {
    // assess
    expect(uploadOutcome({ ...file, status: 'rejected', reason: 'not a PDF' })).toEqual({
      status: 'rejected',
      reason: 'not a PDF',
    });
  });
});
