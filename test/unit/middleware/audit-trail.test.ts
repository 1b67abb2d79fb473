/** The audit-trail middleware: opens the trail of an audited route, records a read's success and every refusal once, skips 401s, and never answers what it could not record. */
import { describe, expect, it } from 'vitest';
import { ForbiddenError, HiddenNotFoundError, InvalidTokenError, NotFoundError } from '../../../functions/core/errors.js';
import type { AuditLog } from '../../../functions/core/ports.js';
import { auditTrail } from '../../../functions/middleware/audit-trail.js';
import { stateOf } from '../../../functions/middleware/state.js';
import type { AuditEvent } from '../../../functions/schemas/audit.js';
import { apiEvent, routeOf } from '../../support/events.js';
import { middyRequest } from '../../support/middy-request.js';

function recorder(fail = false) {
  const events: AuditEvent[] = [];
  const log: AuditLog = {
    record: async (event) => {
      if (fail) throw new Error('table down');
      events.push(event);
    },
    list: async () => ({ items: [] }),
  };
  return { events, log };
}

const now = () => new Date('2027-01-01T00:00:00.000Z');

function opened(id: string, log: AuditLog, headers: string[] = []) {
  const [middleware] = auditTrail({ route: routeOf('getRequest'), successStatus: 200, auditLog: log, now });
  const request = middyRequest(apiEvent({ method: 'GET', url: `/v1/requests/${id}`, headers, requestId: 'corr-7' }));
  stateOf(request).principal = { userId: 'u-1', username: 'buyer1', role: 'buyer', orgId: 'B001' };
  return { middleware: middleware!, request };
}

describe('audit trail', () => {
  it('is not a concern of unaudited routes', () => {
    expect(auditTrail({ route: routeOf('getMe'), successStatus: 200, now })).toEqual([]);
  });

  it('refuses to build an audited route without an audit log', () => {
    expect(() => auditTrail({ route: routeOf('getRequest'), successStatus: 200, now })).toThrow(/audited/);
  });

  it('records a success once, with the resource, the caller and the network details', async () => {
    const { events, log } = recorder();
    const { middleware, request } = opened('req_1', log, ['User-Agent', 'x'.repeat(600)]);
    await middleware.before!(request);
    request.response = { statusCode: 200, body: '{}' };
    await middleware.after!(request);
    await middleware.after!(request);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'request.read', outcome: 'SUCCESS', statusCode: 200, resource: { type: 'request', id: 'req_1' }, actor: { userId: 'u-1', orgId: 'B001' }, correlationId: 'corr-7', sourceIp: '198.51.100.7' });
    expect(events[0]!.userAgent).toHaveLength(512);
  });

  it('leaves out a resource id past 100 characters', async () => {
    const { events, log } = recorder();
    const { middleware, request } = opened('r'.repeat(101), log);
    await middleware.before!(request);
    request.response = { statusCode: 400, body: '{}' };
    request.error = new Error('x');
    await middleware.onError!(request);
    expect(events[0]!.resource).toEqual({ type: 'request' });
  });

  it.each([
    [new HiddenNotFoundError('request-not-found', 'No such request'), 404, 'DENIED'],
    [new ForbiddenError('role-forbidden', 'no'), 403, 'DENIED'],
    [new NotFoundError('request-not-found', 'No such request'), 404, 'FAILED'],
    [new Error('boom'), 500, 'FAILED'],
  ])('records the refusal %s as %s %s', async (error, status, outcome) => {
    const { events, log } = recorder();
    const { middleware, request } = opened('req_1', log);
    await middleware.before!(request);
    request.response = { statusCode: status, body: '{}' };
    request.error = error;
    await middleware.onError!(request);
    expect(events).toMatchObject([{ outcome, statusCode: status, reason: status >= 500 ? 'internal error' : error.message }]);
  });

  it('does not audit a refused token', async () => {
    const { events, log } = recorder();
    const { middleware, request } = opened('req_1', log);
    request.response = { statusCode: 401, body: '{}' };
    request.error = new InvalidTokenError('bad');
    await middleware.onError!(request);
    expect(events).toEqual([]);
  });

  it('turns a refusal whose event cannot be stored into a 5xx', async () => {
    const { log } = recorder(true);
    const { middleware, request } = opened('req_1', log);
    await middleware.before!(request);
    request.response = { statusCode: 404, body: '{}' };
    request.error = new NotFoundError('request-not-found', 'No such request');
    await middleware.onError!(request);
    expect(request.response.statusCode).toBe(500);
  });
});
