/**
 * The JWKS endpoint goes down, through HTTP: tokens signed with a cached key keep working,
 * a token naming an unknown key is refused with 401 invalid_token (never a 5xx), and an
 * unknown key is never trusted just because the endpoint cannot be asked.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { forge } from '../support/tokens.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  api.tokens.setJwksAvailable(true);
  await api.stop();
});

describe('an unreachable JWKS endpoint', () => {
  it('keeps cached keys working and refuses unknown keys with 401, audited nowhere', async () => {
    // Warm the verifier's cache with one call.
    const warm = await api.call('GET', '/v1/requests', { as: 'buyer1' });
    expect(warm.status).toBe(200);
    const fetchesBefore = api.tokens.jwksRequests;
    expect(fetchesBefore).toBeGreaterThan(0);

    api.tokens.setJwksAvailable(false);
    try {
      // A fresh token of another user, signed with the cached key: accepted.
      const created = await api.call('POST', '/v1/requests', {
        token: await api.tokens.accessToken('buyer2'),
        body: { factoryId: 'F001', title: 'during the JWKS outage', items: [{ docType: 'audit-report' }] },
      });
      expect(created.status).toBe(201);
      const read = await api.call('GET', `/v1/requests/${created.body.requestId}`, { as: 'factory1' });
      expect(read.status).toBe(200);

      // Same claims, signed by a key the JWKS never published: the verifier cannot fetch, and must refuse.
      const claims = decodeJwt(await api.tokens.accessToken('buyer1'));
      const eventsBefore = (await api.auditEvents()).length;
      for (const token of [await forge.foreignKey(claims), await forge.foreignKey(claims, 'rotated-key-2026')]) {
        const refused = await api.call('GET', '/v1/requests', { token });
        expect(refused.status).toBe(401);
        expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(refused.body).toMatchObject({ status: 401, correlationId: refused.requestId });
      }
      // The issuer's own kid with another key's signature: the cached key does not verify it.
      const impostor = await forge.foreignKey(claims, api.tokens.issuer.kid);
      expect((await api.call('GET', '/v1/requests', { token: impostor })).status).toBe(401);
      expect((await api.auditEvents()).length).toBe(eventsBefore);
      // The situation named: the verifier did try the unreachable JWKS for the unknown keys, and the known key came from its cache.
      expect(api.tokens.jwksDropped, 'JWKS fetches that hit the outage').toBeGreaterThan(0);
      expect(api.tokens.jwksRequests).toBe(fetchesBefore);
    } finally {
      api.tokens.setJwksAvailable(true);
    }

    // Back up: still working, with the same cache.
    expect((await api.call('GET', '/v1/requests', { as: 'buyer1' })).status).toBe(200);
  });
});
