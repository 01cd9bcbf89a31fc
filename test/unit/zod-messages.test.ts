import { describe, expect, it } from 'vitest';
import { createFolder } from '#contracts/api/drive';
import { uploadRequest } from '#contracts/api/uploads';

// This file imports no classic zod, whose import would load English messages by itself: only
// contracts/zod.ts (zod/mini) can have given the schemas their words.
describe('zod/mini schemas', () => {
  it('answer a missing field in English', () => {
    // act
    const result = createFolder.body.safeParse({});

    // assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('Invalid input: expected string, received undefined');
  });

  it('answer a too-long value in English', () => {
    // act
    const result = uploadRequest.safeParse({
      fileName: 'x'.repeat(2000),
      contentType: 'application/pdf',
      size: 1,
      sha256: `${'A'.repeat(43)}=`,
    });

    // assess
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'Too big: expected string to have <=1024 characters',
    ]);
  });
});
