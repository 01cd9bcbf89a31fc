import { describe, expect, it } from 'vitest';
import { apiDocument } from '../support/api-description';
import { api } from '../support/harness';

describe('GET /api/openapi.json', () => {
  it('answers the generated OpenAPI description to anyone, through the gateway', async () => {
    // prepare: no token of any kind

    // act
    const response = await api('GET', '/api/openapi.json');

    // assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(apiDocument)));
    expect(response.body.openapi).toBe('3.1.0');
  });
});
