import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '#commons/config';
import { limits } from '#contracts/limits';

describe('readConfig', () => {
  let saved: NodeJS.ProcessEnv;

  beforeEach(() => {
    saved = { ...process.env };
  });

  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('returns the variables asked for', () => {
    // prepare
    process.env.LINKS_TABLE = 'docdrop-links';
    process.env.USER_POOL_ID = 'us-east-1_abc123';

    // act
    const config = readConfig('LINKS_TABLE', 'USER_POOL_ID');

    // assess
    expect(config).toEqual({ LINKS_TABLE: 'docdrop-links', USER_POOL_ID: 'us-east-1_abc123' });
  });

  it('names the missing variable', () => {
    // prepare
    process.env.LINKS_TABLE = 'docdrop-links';
    delete process.env.FILES_TABLE;

    // act
    const read = () => readConfig('LINKS_TABLE', 'FILES_TABLE');

    // assess
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/FILES_TABLE: missing/);
    expect(read).not.toThrow(/LINKS_TABLE/);
  });

  it('names every bad variable at once', () => {
    // prepare
    delete process.env.LINKS_TABLE;
    delete process.env.AUDIT_TABLE;

    // act
    const read = () => readConfig('LINKS_TABLE', 'AUDIT_TABLE');

    // assess
    expect(read).toThrow(/LINKS_TABLE: missing.*AUDIT_TABLE: missing/);
  });

  it('uses the one default quota and audit retention when the function is given none', () => {
    // prepare
    delete process.env.DEFAULT_QUOTA_BYTES;
    delete process.env.AUDIT_RETENTION_DAYS;

    // act
    const config = readConfig('DEFAULT_QUOTA_BYTES', 'AUDIT_RETENTION_DAYS');

    // assess
    expect(config).toEqual({
      DEFAULT_QUOTA_BYTES: limits.quota.defaultBytes,
      AUDIT_RETENTION_DAYS: limits.auditRetentionDays,
    });
  });

  it('reads a configured quota and audit retention as numbers', () => {
    // prepare
    process.env.DEFAULT_QUOTA_BYTES = '5368709120';
    process.env.AUDIT_RETENTION_DAYS = '90';

    // act
    const config = readConfig('DEFAULT_QUOTA_BYTES', 'AUDIT_RETENTION_DAYS');

    // assess
    expect(config).toEqual({ DEFAULT_QUOTA_BYTES: 5368709120, AUDIT_RETENTION_DAYS: 90 });
  });

  it.each([
    ['DEFAULT_QUOTA_BYTES', '0'],
    ['DEFAULT_QUOTA_BYTES', 'lots'],
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', '1.5'],
  ] as const)('rejects %s=%j', (name, value) => {
    // prepare
    process.env[name] = value;

    // act
    const read = () => readConfig(name);

    // assess
    expect(read).toThrow(new RegExp(name));
  });

  it('treats an empty variable as not set', () => {
    // prepare
    process.env.BUCKET_NAME = '';

    // act
    const read = () => readConfig('BUCKET_NAME');

    // assess
    expect(read).toThrow(/BUCKET_NAME/);
  });

  it.each(['not a url', '//example.com', 'http://', ''])('rejects WEB_BASE_URL=%j', (value) => {
    // prepare
    process.env.WEB_BASE_URL = value;

    // act
    const read = () => readConfig('WEB_BASE_URL');

    // assess
    expect(read).toThrow(/WEB_BASE_URL/);
  });

  it.each(['localhost:3000', 'javascript:alert(1)', 'ftp://docs.example.com'])(
    'rejects WEB_BASE_URL=%j, which is not a web origin that link URLs can start with',
    (value) => {
      // prepare
      process.env.WEB_BASE_URL = value;

      // act
      const read = () => readConfig('WEB_BASE_URL');

      // assess
      expect(read).toThrow(/WEB_BASE_URL/);
    },
  );

  it('drops trailing slashes from WEB_BASE_URL so link URLs have one', () => {
    // prepare
    process.env.WEB_BASE_URL = 'https://docs.example.com//';

    // act
    const config = readConfig('WEB_BASE_URL');

    // assess
    expect(config.WEB_BASE_URL).toBe('https://docs.example.com');
  });

  it('rejects a user pool id that does not look like <region>_<id>', () => {
    // prepare
    process.env.USER_POOL_ID = 'not-a-pool';

    // act
    const read = () => readConfig('USER_POOL_ID');

    // assess
    expect(read).toThrow(/USER_POOL_ID: must look like <region>_<id>/);
  });

  it('defaults MAX_FILE_BYTES to the product limit', () => {
    // prepare
    delete process.env.MAX_FILE_BYTES;

    // act
    const config = readConfig('MAX_FILE_BYTES');

    // assess
    expect(config.MAX_FILE_BYTES).toBe(limits.maxFileBytes);
  });

  it('reads MAX_FILE_BYTES as a number', () => {
    // prepare
    process.env.MAX_FILE_BYTES = '1048576';

    // act
    const config = readConfig('MAX_FILE_BYTES');

    // assess
    expect(config.MAX_FILE_BYTES).toBe(1_048_576);
  });

  it.each(['abc', '0', '-5', '1.5', String(limits.maxFileBytesCeiling + 1)])('rejects MAX_FILE_BYTES=%s', (value) => {
    // prepare
    process.env.MAX_FILE_BYTES = value;

    // act
    const read = () => readConfig('MAX_FILE_BYTES');

    // assess
    expect(read).toThrow(/MAX_FILE_BYTES/);
  });

  it('leaves the emulator endpoints out when they are not set', () => {
    // prepare
    delete process.env.S3_ENDPOINT;

    // act
    const config = readConfig('S3_ENDPOINT');

    // assess
    expect(config.S3_ENDPOINT).toBeUndefined();
  });
});
