import { beforeAll, describe, expect, it } from 'vitest';
import { limits } from '#contracts/limits';
import { handlerEnvironment } from '../../local/environment';
import { api, describeUpload, newOwner, type Owner, PDF, system } from '../support/harness';
import { type HttpFunction, httpEvent, type Invocation, invoke } from '../support/in-process';

/**
 * What the handlers write to their logs, captured in this process: one JSON line each, with
 * the request id and who acted, and never a link token, a JWT or a presigned URL.
 */

let generateToken: HttpFunction;
let presign: HttpFunction;
let describeLink: HttpFunction;
let usage: HttpFunction;
let auditTrail: HttpFunction;

beforeAll(async () => {
  // The handlers read their configuration at import, as in Lambda: set it first.
  Object.assign(process.env, handlerEnvironment(system), {
    // Everything the handlers would ever log, so nothing hides below the level.
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    // Metric lines too: they are held to the same rules.
    POWERTOOLS_METRICS_DISABLED: 'false',
  });
  generateToken = (await import('../../functions/create-link/index')).handler;
  presign = (await import('../../functions/presign-upload/index')).handler;
  describeLink = (await import('../../functions/describe-link/index')).handler;
  usage = (await import('../../functions/get-usage/index')).handler;
  auditTrail = (await import('../../functions/list-audit-trail/index')).handler;
});

/** Each line is one JSON object carrying this invocation's request id (and the actor, when one is known). */
function expectStructuredLines(invocation: Invocation, actor?: { userId: string } | { linkId: string }): void {
  expect(invocation.lines.length).toBeGreaterThan(0);
  for (const line of invocation.lines) {
    let entry: Record<string, unknown> | undefined;
    expect(
      () => {
        entry = JSON.parse(line);
      },
      `not a JSON line: ${line.slice(0, 200)}`,
    ).not.toThrow();
    expect(entry).toMatchObject({ function_request_id: invocation.context.awsRequestId });
    // A metric line (EMF) names no one: its dimensions are bounded codes (metrics.test.ts).
    if (entry && '_aws' in entry) expect(Object.keys(entry)).not.toEqual(expect.arrayContaining(['userId']));
    else if (actor) expect(entry).toMatchObject(actor);
  }
}

function expectNoSecrets(invocation: Invocation, secrets: readonly string[]): void {
  for (const line of invocation.lines) {
    for (const secret of secrets) expect(line).not.toContain(secret);
    expect(line).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  }
}

/** A token's secret half: on its own it must not be logged either. */
const secretOf = (token: string): string => token.split('.')[1] as string;
/** A JWT's signature: together with its readable parts, it is the credential. */
const signatureOf = (jwt: string): string => jwt.split('.')[2] as string;

describe('log hygiene', () => {
  let owner: Owner;
  let linkToken: string;
  let linkId: string;

  beforeAll(async () => {
    owner = await newOwner();
  });

  it('logs link creation with the owner and request id, never the new token or the JWT', async () => {
    // prepare
    const event = httpEvent(
      'POST',
      '/api/links',
      { authorization: `Bearer ${owner.idToken}`, 'content-type': 'application/json' },
      { label: 'Log hygiene', maxUploads: 5 },
    );

    // act
    const invocation = await invoke(generateToken, 'docdrop-create-link', event);

    // assess
    expect(invocation.result.statusCode).toBe(201);
    linkToken = invocation.body.token;
    linkId = invocation.body.linkId;
    expectStructuredLines(invocation, { userId: owner.sub });
    expectNoSecrets(invocation, [
      linkToken,
      secretOf(linkToken),
      invocation.body.url,
      owner.idToken,
      signatureOf(owner.idToken),
    ]);
  });

  it('logs a link holder reading the link with the link id, never the token', async () => {
    // prepare
    const event = httpEvent('GET', '/api/drop', { 'x-upload-token': linkToken });

    // act
    const invocation = await invoke(describeLink, 'docdrop-describe-link', event);

    // assess
    expect(invocation.result.statusCode).toBe(200);
    expectStructuredLines(invocation, { linkId });
    expectNoSecrets(invocation, [linkToken, secretOf(linkToken)]);
  });

  it('logs a link upload being signed with the link id, never the token or the presigned URL', async () => {
    // prepare
    const event = httpEvent(
      'POST',
      '/api/drop/uploads',
      { 'x-upload-token': linkToken, 'content-type': 'application/json' },
      describeUpload('Passport scan.pdf', 'application/pdf', PDF),
    );

    // act
    const invocation = await invoke(presign, 'docdrop-presign-upload', event);

    // assess
    expect(invocation.result.statusCode).toBe(201);
    const url = new URL(invocation.body.url);
    const signature = url.searchParams.get('X-Amz-Signature') as string;
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expectStructuredLines(invocation, { linkId });
    expectNoSecrets(invocation, [linkToken, secretOf(linkToken), invocation.body.url, url.search, signature]);
  });

  it('logs an owner upload being signed with the user, never the JWT or the presigned URL', async () => {
    // prepare
    const event = httpEvent(
      'POST',
      '/api/uploads',
      { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'application/json' },
      describeUpload('Contract.pdf', 'application/pdf', PDF),
    );

    // act
    const invocation = await invoke(presign, 'docdrop-presign-upload', event);

    // assess
    expect(invocation.result.statusCode).toBe(201);
    const url = new URL(invocation.body.url);
    const signature = url.searchParams.get('X-Amz-Signature') as string;
    expectStructuredLines(invocation, { userId: owner.sub });
    expectNoSecrets(invocation, [
      owner.accessToken,
      signatureOf(owner.accessToken),
      invocation.body.url,
      url.search,
      signature,
    ]);
  });

  it('logs a refused link token with the request id and without the token', async () => {
    // prepare: the real link id with a wrong secret
    const forged = `${linkId}.${'Q'.repeat(43)}`;
    const event = httpEvent('GET', '/api/drop', { 'x-upload-token': forged });

    // act
    const invocation = await invoke(describeLink, 'docdrop-describe-link', event);

    // assess
    expect(invocation.result.statusCode).toBe(401);
    expectStructuredLines(invocation);
    expect(invocation.lines.some((line) => line.includes('invalid_link'))).toBe(true);
    expectNoSecrets(invocation, [forged, secretOf(forged)]);
  });

  it('logs a refused link upload with the request id and without the token', async () => {
    // prepare
    const forged = `${linkId}.${'R'.repeat(43)}`;
    const event = httpEvent(
      'POST',
      '/api/drop/uploads',
      { 'x-upload-token': forged, 'content-type': 'application/json' },
      describeUpload('a.pdf', 'application/pdf', PDF),
    );

    // act
    const invocation = await invoke(presign, 'docdrop-presign-upload', event);

    // assess
    expect(invocation.result.statusCode).toBe(401);
    expectStructuredLines(invocation);
    expectNoSecrets(invocation, [forged, secretOf(forged)]);
  });

  it('logs a refused JWT with the request id and without the JWT', async () => {
    // prepare: a real token with its signature tampered with
    const [header, payload] = owner.idToken.split('.');
    const tampered = `${header}.${payload}.${'A'.repeat(signatureOf(owner.idToken).length)}`;
    const event = httpEvent(
      'POST',
      '/api/links',
      { authorization: `Bearer ${tampered}`, 'content-type': 'application/json' },
      { label: 'never created' },
    );

    // act
    const invocation = await invoke(generateToken, 'docdrop-create-link', event);

    // assess
    expect(invocation.result.statusCode).toBe(401);
    expectStructuredLines(invocation);
    expect(invocation.lines.some((line) => line.includes('invalid_token'))).toBe(true);
    expectNoSecrets(invocation, [tampered, `${header}.${payload}`, signatureOf(tampered)]);
  });

  it('logs a usage report with the user, never the JWT', async () => {
    // prepare
    const event = httpEvent('GET', '/api/usage', { authorization: `Bearer ${owner.idToken}` });

    // act
    const invocation = await invoke(usage, 'docdrop-get-usage', event);

    // assess
    expect(invocation.result.statusCode).toBe(200);
    expectStructuredLines(invocation, { userId: owner.sub });
    expectNoSecrets(invocation, [owner.idToken, signatureOf(owner.idToken)]);
  });

  it('logs a page of the audit trail with the user, never the JWT, a token or a presigned URL', async () => {
    // prepare: the trail now holds the link's creation and the uploads signed above
    const event = httpEvent('GET', '/api/audit', { authorization: `Bearer ${owner.idToken}` });

    // act
    const invocation = await invoke(auditTrail, 'docdrop-list-audit-trail', event);

    // assess
    expect(invocation.result.statusCode).toBe(200);
    expect(invocation.body.items.length).toBeGreaterThan(0);
    expectStructuredLines(invocation, { userId: owner.sub });
    expectNoSecrets(invocation, [owner.idToken, signatureOf(owner.idToken), linkToken, secretOf(linkToken)]);
    expect(invocation.result.body).not.toContain(linkToken);
    expect(invocation.result.body).not.toMatch(/X-Amz-Signature|X-Amz-Credential/i);
  });

  it('logs a link upload refused over the owner’s quota with the link id, never the token', async () => {
    // prepare: the owner's quota nearly full of reservations (24 MiB left, less than the link's 25 MiB)
    const MiB = 1024 * 1024;
    const fillers = Math.ceil((limits.quota.defaultBytes - 24 * MiB) / limits.maxFileBytes);
    const fillerBytes = (limits.quota.defaultBytes - 24 * MiB) / fillers;
    expect(Number.isInteger(fillerBytes)).toBe(true);
    for (let i = 0; i < fillers; i++) {
      const filler = await api('POST', '/api/uploads', {
        token: owner.idToken,
        body: { ...describeUpload('filler.pdf', 'application/pdf', PDF), size: fillerBytes },
      });
      expect(filler.status).toBe(201);
    }
    const event = httpEvent(
      'POST',
      '/api/drop/uploads',
      { 'x-upload-token': linkToken, 'content-type': 'application/json' },
      { ...describeUpload('too big.pdf', 'application/pdf', PDF), size: 25 * MiB },
    );

    // act
    const invocation = await invoke(presign, 'docdrop-presign-upload', event);

    // assess
    expect(invocation.result.statusCode).toBe(413);
    expect(invocation.body.error.code).toBe('quota_exceeded');
    expectStructuredLines(invocation, { linkId });
    expect(invocation.lines.some((line) => line.includes('quota_exceeded'))).toBe(true);
    expectNoSecrets(invocation, [linkToken, secretOf(linkToken)]);
  });

  it('logs a refused body without echoing the values sent', async () => {
    // prepare: a body whose values are secrets a client pasted by mistake
    const pasted = `${linkToken}-pasted-into-a-file-name`;
    const event = httpEvent(
      'POST',
      '/api/drop/uploads',
      { 'x-upload-token': linkToken, 'content-type': 'application/json' },
      { ...describeUpload(pasted, 'application/pdf', PDF), size: 'not a number' },
    );

    // act
    const invocation = await invoke(presign, 'docdrop-presign-upload', event);

    // assess
    expect(invocation.result.statusCode).toBe(400);
    expectStructuredLines(invocation, { linkId });
    expectNoSecrets(invocation, [linkToken, secretOf(linkToken), pasted]);
  });
});
