/** The correlation middleware: every answer, success or problem, carries the request id and the security headers; each invocation starts with a fresh state. */
import { describe, expect, it } from 'vitest';
import { correlation } from '../../../functions/middleware/correlation.js';
import { stateOf } from '../../../functions/middleware/state.js';
import { apiEvent } from '../../support/events.js';
import { middyRequest } from '../../support/middy-request.js';

const HEADERS = { 'X-Request-Id': 'corr-1', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=31536000' };

describe('correlation', () => {
  it.each(['after', 'onError'] as const)('stamps the answer headers in %s', async (phase) => {
    const request = middyRequest(apiEvent({ method: 'GET', url: '/v1/me', requestId: 'corr-1' }), { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
    await correlation()[phase]!(request);
    expect(request.response?.headers).toEqual({ 'Content-Type': 'application/json', ...HEADERS });
  });

  it('gives an event invoked twice a fresh call state', async () => {
    const event = apiEvent({ method: 'GET', url: '/v1/me' });
    const first = middyRequest(event);
    stateOf(first).principal = { userId: 'u', username: 'u', role: 'admin' };
    await correlation().before!({ ...first });
    expect(() => stateOf(event).principal).toThrow();
  });

  it.each(['after', 'onError'] as const)('answers CORS in %s for an origin the stage allows, and only for it', async (phase) => {
    const allowed = 'https://console.example.com';
    const call = async (origin: string | undefined, stageVariables: Record<string, string> | null) => {
      const event = { ...apiEvent({ method: 'GET', url: '/v1/me', requestId: 'corr-1', headers: origin ? ['Origin', origin] : [] }), stageVariables };
      const request = middyRequest(event, { statusCode: 200, headers: {}, body: '{}' });
      await correlation()[phase]!(request);
      return request.response?.headers ?? {};
    };
    expect(await call(allowed, { allowedOrigins: `${allowed},https://other.example.com` })).toMatchObject({
      'Access-Control-Allow-Origin': allowed,
      'Access-Control-Expose-Headers': 'X-Request-Id, Location, Retry-After',
      Vary: 'Origin',
    });
    for (const [origin, variables] of [['https://evil.example.com', { allowedOrigins: allowed }], [allowed, null], [undefined, { allowedOrigins: allowed }], [`${allowed}.evil.com`, { allowedOrigins: allowed }]] as const) {
      expect(await call(origin, variables), `${origin} with ${JSON.stringify(variables)}`).not.toHaveProperty('Access-Control-Allow-Origin');
    }
  });
});
