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
});
