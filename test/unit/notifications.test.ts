import { describe, expect, it } from 'vitest';
import { arrivalNotice, describeNotice } from '#domain/links/arrival-notices';

const file = {
  ownerId: 'owner-1',
  fileId: 'file-1',
  linkId: 'link-1',
  name: 'scan.pdf',
  contentType: 'application/pdf',
  size: 10,
  sha256: 'x',
  status: 'pending' as const,
  createdAt: '2026-11-22T00:00:00.000Z',
};

describe('link arrival notices', () => {
  it('name the file and say it passed the checks when released', () => {
    // act
    const { subject, message } = describeNotice(arrivalNotice(file, 'clean'));

    // assess
    expect(subject).toContain('arrived');
    expect(message).toContain('"scan.pdf"');
    expect(message).toContain('passed');
  });

  it('carry the reason when the file was rejected', () => {
    // act
    const notice = arrivalNotice(file, 'rejected', {
      code: 'type_mismatch',
      reason: 'the content is application/x-elf, not the declared image/png',
    });
    const { subject, message } = describeNotice(notice);

    // assess
    expect(notice).toMatchObject({ ownerId: 'owner-1', linkId: 'link-1', fileId: 'file-1', status: 'rejected' });
    expect(subject).toContain('rejected');
    expect(message).toContain('application/x-elf');
  });
});
