/** Token attacks through HTTP: every one is a 401 with the right challenge, and none is audited. */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { forge } from '../support/tokens.js';

let api: TestApi;
let valid: string;
beforeAll(async () => {
  api = await startTestApi();
  valid = await api.tokens.accessToken('buyer1');
});
afterAll(() => api.stop());

describe('identity', () => {
  it('answers 401 with a bare Bearer challenge without credentials or with another scheme', async () => {
    for (const headers of [{}, { Authorization: 'Basic YnV5ZXIxOnB3' }] as Record<string, string>[]) {
      const answer = await api.call('GET', '/v1/requests', { headers });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.correlationId).toBe(answer.requestId);
    }
  });

  it('refuses every forged or misused token with invalid_token', async () => {
    const claims = decodeJwt(valid);
    const attacks: Record<string, string> = {
      garbage: forge.garbage(),
      tampered: forge.tampered(valid, { 'cognito:groups': ['admin'] }),
      'alg none': forge.algNone(claims, api.tokens.issuer.kid),
      'HS256 with the public key (PEM)': await forge.hs256WithPublicKey(claims, api.tokens.issuer, 'pem'),
      'HS256 with the public key (JWK)': await forge.hs256WithPublicKey(claims, api.tokens.issuer, 'jwk'),
      'foreign key': await forge.foreignKey(claims),
      expired: await api.tokens.accessToken('buyer1', { claims: { exp: Math.floor(Date.now() / 1000) - 60, iat: Math.floor(Date.now() / 1000) - 960 } }),
      'wrong issuer': await api.tokens.accessToken('buyer1', { claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' } }),
      'wrong client': await api.tokens.accessToken('buyer1', { claims: { client_id: 'another-client' } }),
      'id token': await api.tokens.idToken('buyer1'),
      'no role group': await api.tokens.accessToken('buyer1', { claims: { 'cognito:groups': ['visitors'] } }),
    };
    for (const [name, token] of Object.entries(attacks)) {
      const answer = await api.call('GET', '/v1/requests', { token });
      expect.soft(answer.status, name).toBe(401);
      expect.soft(answer.headers.get('www-authenticate'), name).toBe('Bearer error="invalid_token"');
    }
    const audited = (await api.auditEvents()).filter((e) => e.action === 'request.list');
    expect(audited).toHaveLength(0);
  });

  it('accepts the valid token', async () => {
    expect((await api.call('GET', '/v1/requests', { token: valid })).status).toBe(200);
  });
});
