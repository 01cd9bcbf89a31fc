import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { system } from '../support/harness';

/**
 * The local system listens on loopback only. DynamoDB Local has no host option and accepts
 * any credentials, so it is run bound to 127.0.0.1 (local/dynamodb-on-loopback.java); the
 * kernel's own table of listening sockets (/proc/net/tcp, tcp6) is the witness.
 */

const LISTEN = '0A';

/** One address of /proc/net/tcp{,6}: 32-bit words in hex, each in the host's (little-endian) byte order. */
function addressOf(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) =>
    [6, 4, 2, 0].map((i) => Number.parseInt(word.slice(i, i + 2), 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  const mappedV4 = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mappedV4) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) =>
    (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16),
  );
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** The addresses on which some process listens on `port`, from the kernel's socket tables. */
function listeningAddresses(port: number): string[] {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hex, portHex] = (local ?? '').split(':');
      if (state === LISTEN && Number.parseInt(portHex ?? '', 16) === port) addresses.push(addressOf(hex ?? ''));
    }
  }
  return addresses;
}

const isLoopback = (address: string): boolean =>
  address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');

/** Whether a TCP connection to address:port is taken (true) or refused (false). */
const accepts = (address: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

const portOf = (endpoint: string): number => Number(new URL(endpoint).port);

const ENDPOINTS: readonly [string, string][] = [
  ['DynamoDB Local', system.dynamodbEndpoint],
  ['S3', system.s3Endpoint],
  ['Cognito', system.cognitoEndpoint],
  ['the gateway', system.apiUrl],
  ['Lambda Invoke', system.lambdaEndpoint],
];

// This machine's own addresses that are not loopback: a listener on every interface answers there.
const outsideAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((info) => info !== undefined && !info.internal && info.family === 'IPv4')
  .map((info) => info?.address as string);

describe('what listens where', () => {
  it('parses the kernel’s address encoding (the witness itself)', () => {
    // act and assess: 0.0.0.0, 127.0.0.1, ::, ::ffff:127.0.0.1 and ::1 as /proc writes them
    expect(addressOf('00000000')).toBe('0.0.0.0');
    expect(addressOf('0100007F')).toBe('127.0.0.1');
    expect(addressOf('00000000000000000000000000000000')).toBe('::');
    expect(addressOf('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(addressOf('00000000000000000000000001000000')).toBe('::1');
  });

  it.each(ENDPOINTS)('%s listens on loopback only', (_name, endpoint) => {
    // act
    const addresses = listeningAddresses(portOf(endpoint));

    // assess
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((address) => !isLoopback(address))).toEqual([]);
  });

  it('DynamoDB Local lets no web page of another origin call it', async () => {
    // act: the preflight a browser sends before any DynamoDB call (they all carry x-amz-target)
    const preflight = await fetch(system.dynamodbEndpoint, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://attacker.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-amz-target',
      },
    });

    // assess: without Access-Control-Allow-Origin the browser sends nothing
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('DynamoDB Local refuses a connection to this machine’s other addresses', async () => {
    // act
    const port = portOf(system.dynamodbEndpoint);
    const taken = await Promise.all(outsideAddresses.map((address) => accepts(address, port)));

    // assess: loopback takes it, every other address refuses
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(taken.every((accepted) => !accepted)).toBe(true);
  });
});
