import { describe, expect, it } from 'vitest';
import { api, newOwner } from '../support/harness';

describe('GET /api/me', () => {
  it('says who the token belongs to: id, the address the pool holds verified, and the storage', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const me = await api('GET', '/api/me', { token: owner.idToken });

    // assess
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      userId: owner.sub,
      email: owner.email,
      emailVerified: true,
      usage: { usedBytes: 0, reservedBytes: 0, limitBytes: expect.any(Number), availableBytes: expect.any(Number) },
    });
  });

  it('answers for the access token too, which carries no e-mail: the address comes from the pool', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const me = await api('GET', '/api/me', { token: owner.accessToken });

    // assess
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(owner.email);
  });

  it('answers only a signed-in caller: no token, or one that is not a JWT, gets 401', async () => {
    // act
    const anonymous = await api('GET', '/api/me');
    const forged = await api('GET', '/api/me', { headers: { authorization: 'Bearer abc' } });

    // assess
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('missing_token');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('invalid_token');
  });
});
