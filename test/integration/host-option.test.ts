import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_OWNER, signIn } from '../../local/owners';
import { advertisedHost, type LocalSystem, startLocalSystem } from '../../local/system';

// Another address of this machine, as a phone on the network would use its LAN address: on
// Linux every 127/8 address is this machine, and one bound to 127.0.0.2 does not answer on 127.0.0.1.
const HOST = '127.0.0.2';
const dataDir = mkdtempSync('/tmp/local-host-');
let system: LocalSystem;

const portOf = (url: string) => new URL(url).port;
const refused = (url: string) =>
  fetch(url).then(
    () => 'answered',
    (error: Error & { cause?: { code?: string } }) => error.cause?.code,
  );

beforeAll(async () => {
  system = await startLocalSystem({
    ports: { gateway: 0, s3: 0, dynamodb: 0, cognito: 0 },
    dataDir,
    persistent: false,
    host: HOST,
    seedDemoOwner: true,
  });
}, 90_000);

afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start -- --host <addr>', () => {
  it('serves the web app and API at that address only', async () => {
    // act
    const health = await fetch(`http://${HOST}:${portOf(system.apiUrl)}/api/health`);

    // assess
    expect(system.apiUrl).toBe(`http://${HOST}:${portOf(system.apiUrl)}`);
    expect(health.status).toBe(200);
    expect(await refused(`http://127.0.0.1:${portOf(system.apiUrl)}/api/health`)).toBe('ECONNREFUSED');
  });

  it('hands the browser a Cognito endpoint at that address, where sign-in works', async () => {
    // act
    const config = (await (await fetch(`${system.apiUrl}/config.json`)).json()) as Record<string, string>;
    const tokens = await signIn(
      {
        cognitoEndpoint: config.cognitoEndpoint as string,
        region: config.region as string,
        userPoolId: config.userPoolId as string,
        userPoolClientId: config.userPoolClientId as string,
      },
      DEMO_OWNER,
    );

    // assess
    expect(new URL(config.cognitoEndpoint as string).hostname).toBe(HOST);
    expect(tokens.idToken).toMatch(/^ey/);
    expect(await refused(`http://127.0.0.1:${portOf(config.cognitoEndpoint as string)}/`)).toBe('ECONNREFUSED');
  });

  it('presigns uploads for S3 at that address, and the PUT there is accepted', async () => {
    // prepare
    const { idToken } = await signIn(system, DEMO_OWNER);
    const bytes = Buffer.from('%PDF-1.4\n%%EOF\n');
    const request = {
      fileName: 'from-a-phone.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('base64'),
    };

    // act
    const presigned = (await (
      await fetch(`${system.apiUrl}/api/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
    ).json()) as { url: string; headers: Record<string, string> };
    const put = await fetch(presigned.url, { method: 'PUT', headers: presigned.headers, body: bytes });

    // assess
    expect(new URL(presigned.url).hostname).toBe(HOST);
    expect(put.status).toBe(200);
    expect(await refused(`http://127.0.0.1:${portOf(presigned.url)}/`)).toBe('ECONNREFUSED');
    // DynamoDB is not for browsers: it stays on loopback.
    expect(new URL(system.dynamodbEndpoint).hostname).toBe('127.0.0.1');
  });

  it('advertises an address other devices can reach when bound to all interfaces', () => {
    // act
    const advertised = advertisedHost('0.0.0.0');

    // assess: this machine's own, never the wildcard
    expect(advertised).not.toBe('0.0.0.0');
    expect(advertised).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});
