import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#commons/cursor';
import { Invalid } from '#commons/errors';

const FILE_KEY = ['ownerId', 'fileId'];

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('page cursors', () => {
  it('decode to the key they were made from', () => {
    // prepare
    const key = { ownerId: 'owner-1', fileId: '0lq3x1abcDEF-_ghijklmn' };

    // act
    const cursor = encodeCursor(key);
    const decoded = decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decoded).toEqual(key);
  });

  it('are absent when there is no next page', () => {
    // act
    const cursor = encodeCursor(undefined);

    // assess
    expect(cursor).toBeUndefined();
    expect(decodeCursor(undefined, 'owner-1', FILE_KEY)).toBeUndefined();
  });

  it.each([
    ['not base64 JSON', 'not a cursor!!'],
    ['empty', ''],
    ['truncated JSON', encodeJson({ ownerId: 'owner-1' }).slice(0, 10)],
  ])('rejects garbage (%s) as invalid input', (_case, cursor) => {
    // act
    const decode = () => decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(decode).toThrow(Invalid);
    expect(decode).toThrow(expect.objectContaining({ code: 'invalid_cursor', status: 400 }));
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'owner-1'],
    ['an array', ['owner-1']],
    ['non-string values', { ownerId: 'owner-1', fileId: 7 }],
    ['nested objects', { ownerId: 'owner-1', fileId: { S: 'x' } }],
    ['too many attributes', { ownerId: 'owner-1', a: '1', b: '2', c: '3', d: '4' }],
    ['an overlong value', { ownerId: 'owner-1', fileId: 'x'.repeat(257) }],
  ])('rejects a cursor that is not a small string-valued key (%s)', (_case, value) => {
    // prepare
    const cursor = encodeJson(value);

    // act
    const decode = () => decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(decode).toThrow(Invalid);
  });

  it("rejects a cursor that names another owner's partition", () => {
    // prepare
    const cursor = encodeCursor({ ownerId: 'owner-2', fileId: 'f1' });

    // act
    const decode = () => decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(decode).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it.each([
    ['only the owner', { ownerId: 'owner-1' }],
    ['an extra attribute', { ownerId: 'owner-1', fileId: 'f1', linkId: 'l1' }],
    ['an empty key value', { ownerId: 'owner-1', fileId: '' }],
  ])('rejects a cursor that is not exactly the table key (%s), which DynamoDB would refuse', (_case, value) => {
    // prepare
    const cursor = encodeJson(value);

    // act
    const decode = () => decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(decode).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });

  it('rejects a cursor that names no owner at all', () => {
    // prepare
    const cursor = encodeCursor({ fileId: 'f1' });

    // act
    const decode = () => decodeCursor(cursor, 'owner-1', FILE_KEY);

    // assess
    expect(decode).toThrow(Invalid);
  });
});
