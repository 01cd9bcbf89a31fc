import { describe, expect, it } from 'vitest';
import { Invalid, TooLarge, UnsupportedType } from '#commons/errors';
import { IMAGE_TYPES, limits } from '#contracts/limits';
import {
  checkAgainstPolicy,
  linkUploadPolicy,
  ownerUploadPolicy,
  profilePhotoPolicy,
  refuseLinkPlacement,
} from '#domain/uploads/upload-policies';

const pdf = { fileName: 'report.pdf', contentType: 'application/pdf', size: 1000, sha256: `${'A'.repeat(43)}=` };
const link = { maxBytes: 5000, allowedTypes: ['application/pdf'], expiresAt: '2030-01-01T12:00:00.000Z' };

describe('linkUploadPolicy', () => {
  it('keeps the link’s own size limit when it is below the operator’s', () => {
    // act
    const policy = linkUploadPolicy(link, 10_000);

    // assess
    expect(policy).toEqual({
      maxBytes: 5000,
      allowedTypes: ['application/pdf'],
      notAfter: new Date('2030-01-01T12:00:00.000Z'),
    });
  });

  it('never lets a link accept more than the operator’s per-file limit', () => {
    // act
    const policy = linkUploadPolicy({ ...link, maxBytes: 50_000 }, 10_000);

    // assess
    expect(policy.maxBytes).toBe(10_000);
  });
});

describe('ownerUploadPolicy and profilePhotoPolicy', () => {
  it('lets an owner send every supported type up to the operator’s limit, with no expiry of its own', () => {
    // act
    const policy = ownerUploadPolicy(123);

    // assess
    expect(policy).toEqual({ maxBytes: 123, allowedTypes: limits.ownerAllowedTypes });
  });

  it('takes only images of at most the profile photo limit as a profile photo', () => {
    // assess
    expect(profilePhotoPolicy).toEqual({ maxBytes: limits.profilePhotoMaxBytes, allowedTypes: IMAGE_TYPES });
  });
});

describe('refuseLinkPlacement', () => {
  it('answers the upload itself when the request names neither folder nor onConflict', () => {
    // act
    const upload = refuseLinkPlacement(pdf);

    // assess
    expect(upload).toEqual(pdf);
  });

  it.each([
    ['a folder', { folderId: 'root' }],
    ['what to do on a conflict', { onConflict: 'replace' as const }],
  ])('refuses a link upload that chooses %s', (_what, placement) => {
    // act
    const act = () => refuseLinkPlacement({ ...pdf, ...placement });

    // assess
    expect(act).toThrow(Invalid);
    expect(act).toThrow('an upload link chooses neither folder nor onConflict');
  });
});

describe('checkAgainstPolicy', () => {
  const policy = { maxBytes: 1000, allowedTypes: ['application/pdf'] };

  it('accepts a file of an allowed type at exactly the size limit', () => {
    // act
    const act = () => checkAgainstPolicy(pdf, policy);

    // assess
    expect(act).not.toThrow();
  });

  it('refuses a file one byte over the limit, saying both sizes', () => {
    // act
    const act = () => checkAgainstPolicy({ ...pdf, size: 1001 }, policy);

    // assess
    expect(act).toThrow(TooLarge);
    expect(act).toThrow('The file is 1001 bytes; the limit here is 1000 bytes.');
  });

  it('refuses a type the policy does not allow, naming the allowed ones', () => {
    // act
    const act = () => checkAgainstPolicy({ ...pdf, contentType: 'image/png' }, policy);

    // assess
    expect(act).toThrow(UnsupportedType);
    expect(act).toThrow('Allowed: application/pdf.');
  });

  it('refuses a type that is never accepted even when a policy lists it', () => {
    // prepare
    const refused = 'image/svg+xml';

    // act
    const act = () => checkAgainstPolicy({ ...pdf, contentType: refused }, { ...policy, allowedTypes: [refused] });

    // assess
    expect(act).toThrow(expect.objectContaining({ code: 'type_refused' }));
  });
});
