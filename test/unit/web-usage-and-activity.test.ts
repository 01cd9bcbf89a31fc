import { describe, expect, it } from 'vitest';
import { auditAction } from '#contracts/api/account';
import { MiB } from '#contracts/limits';
import { actionWords, actorWords, outcomeWords } from '../../web/src/audit-words';
import { describeUsage, quotaRefusalOf } from '../../web/src/usage-words';

const fileOf = (name: string, size: number): File =>
  new File([new Uint8Array(size)], name, { type: 'application/pdf' });
const usageWith = (usedBytes: number, reservedBytes: number, limitBytes: number) => ({
  usedBytes,
  reservedBytes,
  limitBytes,
  availableBytes: limitBytes - usedBytes - reservedBytes,
});

describe('the portal says how much storage is used and refuses what would not fit', () => {
  it('counts uploads under way as used, and says so', () => {
    expect(describeUsage(usageWith(MiB, 0, 4 * MiB))).toBe('1.0 MB of 4.0 MB used; 3.0 MB left.');
    expect(describeUsage(usageWith(MiB, MiB / 2, 4 * MiB))).toBe(
      '1.5 MB of 4.0 MB used (512 KB of it by uploads under way); 2.5 MB left.',
    );
  });

  it('accepts files that fit exactly, and refuses one byte more with what is left', () => {
    const usage = usageWith(3 * MiB, 0, 4 * MiB);
    expect(quotaRefusalOf([fileOf('a.pdf', MiB)], usage)).toBeUndefined();
    expect(quotaRefusalOf([fileOf('a.pdf', MiB + 1)], usage)).toBe(
      'a.pdf (1.0 MB) does not fit: 1.0 MB of your storage is left. Delete files you no longer need, or send fewer.',
    );
  });

  it('refuses a batch that fits only file by file, naming the total', () => {
    const refusal = quotaRefusalOf([fileOf('a.pdf', MiB), fileOf('b.pdf', MiB)], usageWith(0, 3 * MiB, 4 * MiB));
    expect(refusal).toContain('These 2 files need 2.0 MB together, but 1.0 MB of your storage is left.');
  });

  it('leaves the decision to the server while the usage is not known', () => {
    expect(quotaRefusalOf([fileOf('a.pdf', 10 * MiB)], undefined)).toBeUndefined();
  });
});

describe('the Activity view puts the audit trail in plain words', () => {
  it('names every action the trail records', () => {
    const unnamed = auditAction.options.filter((action) => actionWords(action) === action);
    expect(auditAction.options.length).toBeGreaterThan(10);
    expect(unnamed).toEqual([]);
    expect(actionWords('file.download')).toBe('Downloaded');
    expect(actionWords('link.create')).toBe('Upload link created');
  });

  it("says a validator's rejection with its code, and shows an unknown outcome as it is", () => {
    expect(outcomeWords('rejected:not_text')).toBe('Rejected (not text)');
    expect(outcomeWords('clean')).toBe('Passed the checks');
    expect(outcomeWords('something-new')).toBe('something-new');
  });

  it('tells the owner from another user, and names a link by its label when known', () => {
    const names = new Map([['L1', 'Tax documents']]);
    const nameOf = (id: string) => names.get(id);
    expect(actorWords('user:abc', 'abc', nameOf)).toBe('You');
    expect(actorWords('user:xyz', 'abc', nameOf)).toBe('User xyz');
    expect(actorWords('link:L1', 'abc', nameOf)).toBe('Link: Tax documents');
    expect(actorWords('link:L2', 'abc', nameOf)).toBe('Link: L2');
    expect(actorWords('system:validator', 'abc', nameOf)).toBe('The validator');
  });
});
