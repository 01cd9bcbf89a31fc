import { describe, expect, it } from 'vitest';
import { GiB, MiB, s3Limits } from '#contracts/limits';
import { copyRanges, s3CopyPlan } from '#domain/validation/released-copy';

/** Ranges that cover `size` bytes exactly, in order, with no gap or overlap. */
function expectContiguous(ranges: { first: number; last: number }[], size: number) {
  expect(ranges[0]?.first).toBe(0);
  expect(ranges.at(-1)?.last).toBe(size - 1);
  for (let i = 1; i < ranges.length; i++) expect(ranges[i]?.first).toBe((ranges[i - 1]?.last ?? 0) + 1);
}

describe('the ranges of a release copied in parts', () => {
  it('are parts of the planned size, the last one short, covering the object exactly', () => {
    const ranges = copyRanges(13 * MiB, { partBytes: 5 * MiB });

    expect(ranges).toEqual([
      { first: 0, last: 5 * MiB - 1 },
      { first: 5 * MiB, last: 10 * MiB - 1 },
      { first: 10 * MiB, last: 13 * MiB - 1 },
    ]);
  });

  it('grow for the largest object S3 holds, so it stays within 10,000 parts of at most 5 GiB', () => {
    const ranges = copyRanges(s3Limits.maxObjectBytes, s3CopyPlan);

    expect(ranges.length).toBeLessThanOrEqual(s3Limits.maxParts);
    expect(Math.max(...ranges.map((range) => range.last - range.first + 1))).toBeLessThanOrEqual(s3Limits.maxPartBytes);
    expectContiguous(ranges, s3Limits.maxObjectBytes);
  });

  it('are 512 MiB parts for an object just above CopyObject’s 5 GiB', () => {
    const size = 5 * GiB + 1;
    const ranges = copyRanges(size, s3CopyPlan);

    expect(ranges).toHaveLength(11);
    expect(ranges[0]).toEqual({ first: 0, last: 512 * MiB - 1 });
    expectContiguous(ranges, size);
  });
});
