import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileKey } from '#contracts/bucket';
import { S3_CREDENTIALS } from '../../local/environment';
import { BUCKET } from '../../local/system';

/**
 * The README's "Inspect with the AWS CLI" recipe names facts the code defines: the S3
 * emulator's fixed keys, the bucket and where a released upload lives. (The integration tests
 * read objects with those keys on every run; this holds the README to the same facts.)
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const recipe = readme.slice(readme.indexOf('### Inspect with the AWS CLI'), readme.indexOf('## Scripts'));

describe("the README's AWS CLI recipe", () => {
  it('uses the keys the S3 emulator checks signatures against', () => {
    expect(recipe).toContain(
      `export AWS_ACCESS_KEY_ID=${S3_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${S3_CREDENTIALS.secretAccessKey}`,
    );
  });

  it('reads a released upload where the validator puts it, in the local bucket', () => {
    expect(recipe).toContain(`--bucket ${BUCKET} --key ${fileKey('$OWNER', '$ID')}`);
    expect(recipe).toContain(`s3://${BUCKET}`);
  });

  it('takes the owner id from GET /api/me, the route that says who a token belongs to', () => {
    expect(recipe).toMatch(/OWNER=\$\(curl -s \$API\/api\/me -H "authorization: Bearer \$TOKEN" \| json userId\)/);
  });
});
