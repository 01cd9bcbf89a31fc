import { describe, expect, it } from 'vitest';
import { api, newOwner } from '../support/harness';

describe('owner settings (GET and PATCH /api/settings)', () => {
  it('answers the defaults to an owner who never chose: a notice for each file, PDFs with active content allowed', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const settings = await api('GET', '/api/settings', { token: owner.idToken });

    // assess
    expect(settings.status).toBe(200);
    expect(settings.body).toEqual({ notices: 'each', pdfActiveContent: 'allow' });
  });

  it('changes only what the body names, keeps it for the next read, and records the change in the trail', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const first = await api('PATCH', '/api/settings', { token: owner.idToken, body: { notices: 'daily' } });
    const second = await api('PATCH', '/api/settings', { token: owner.idToken, body: { pdfActiveContent: 'refuse' } });
    const read = await api('GET', '/api/settings', { token: owner.idToken });
    const trail = await api('GET', '/api/audit', { token: owner.idToken });

    // assess
    expect(first.body).toEqual({ notices: 'daily', pdfActiveContent: 'allow' });
    expect(second.body).toEqual({ notices: 'daily', pdfActiveContent: 'refuse' });
    expect(read.body).toEqual({ notices: 'daily', pdfActiveContent: 'refuse' });
    const changes = trail.body.items.filter((entry: { action: string }) => entry.action === 'settings.update');
    expect(changes.map((entry: { outcome: string }) => entry.outcome)).toEqual([
      'pdfActiveContent=refuse',
      'notices=daily',
    ]);
    expect(changes[0].actor).toBe(`user:${owner.sub}`);
  });

  it("keeps each owner's settings to themselves", async () => {
    // prepare
    const [one, other] = await Promise.all([newOwner(), newOwner()]);
    await api('PATCH', '/api/settings', { token: one.idToken, body: { notices: 'off' } });

    // act
    const others = await api('GET', '/api/settings', { token: other.idToken });

    // assess
    expect(others.body.notices).toBe('each');
  });

  it('refuses an empty change, an unknown value and an unknown setting with 400, changing nothing', async () => {
    // prepare
    const owner = await newOwner();

    // act
    const empty = await api('PATCH', '/api/settings', { token: owner.idToken, body: {} });
    const unknownValue = await api('PATCH', '/api/settings', { token: owner.idToken, body: { notices: 'hourly' } });
    const unknownSetting = await api('PATCH', '/api/settings', { token: owner.idToken, body: { theme: 'dark' } });
    const anonymous = await api('GET', '/api/settings');
    const read = await api('GET', '/api/settings', { token: owner.idToken });

    // assess
    expect([empty.status, unknownValue.status, unknownSetting.status]).toEqual([400, 400, 400]);
    expect(empty.body.error.message).toMatch(/notices, pdfActiveContent or both/);
    expect(anonymous.status).toBe(401);
    expect(read.body).toEqual({ notices: 'each', pdfActiveContent: 'allow' });
  });

  it('cannot be reached through a file route: the settings entry is not an id', async () => {
    // prepare
    const owner = await newOwner();
    await api('PATCH', '/api/settings', { token: owner.idToken, body: { notices: 'off' } });

    // act
    const asFile = await api('DELETE', '/api/files/settings%23owner', { token: owner.idToken });
    const read = await api('GET', '/api/settings', { token: owner.idToken });

    // assess
    expect(asFile.status).toBe(400);
    expect(read.body.notices).toBe('off');
  });
});
