/** The idempotency middleware: no key, nothing; a repeated key header, 400; a first call stores its answer; a repeat is answered from before, with its own audit event and headers. */
import { describe, expect, it } from 'vitest';
import { AuditTrail } from '../../../functions/core/audit-trail.js';
import { ValidationError } from '../../../functions/core/errors.js';
import type { AuditLog } from '../../../functions/core/ports.js';
import { idempotency, REPLAYED_HEADER } from '../../../functions/middleware/idempotency.js';
import { stateOf, type ApiRequest, type ParsedInput } from '../../../functions/middleware/state.js';
import type { AuditEvent } from '../../../functions/schemas/audit.js';
import { apiEvent, routeOf } from '../../support/events.js';
import { MemoryIdempotencyStore } from '../../support/memory-idempotency-store.js';
import { middyRequest } from '../../support/middy-request.js';

const events: AuditEvent[] = [];
const auditLog: AuditLog = { record: async (e) => void events.push(e), list: async () => ({ items: [] }) };

function call(headers: string[], requestId: string): ApiRequest {
  const request = middyRequest(apiEvent({ method: 'POST', url: '/v1/requests', headers: ['Content-Type', 'application/json', ...headers], body: '{"a":1}', requestId }));
  const state = stateOf(request);
  state.principal = { userId: 'u-1', username: 'buyer1', role: 'buyer', orgId: 'B001' };
  state.input = { path: undefined, query: {}, body: { a: 1 }, json: { a: 1 } } satisfies ParsedInput;
  state.audit = new AuditTrail({ action: 'request.create', resourceType: 'request', correlationId: requestId, successStatus: 201 }, state.principal);
  return request;
}

describe('idempotency', () => {
  it('is a concern of POST routes only, and needs its store there', () => {
    expect(idempotency({ route: routeOf('listRequests') })).toEqual([]);
    expect(() => idempotency({ route: routeOf('createRequest') })).toThrow(/POST/);
  });

  it('does nothing without a key', async () => {
    const store = new MemoryIdempotencyStore();
    const [middleware] = idempotency({ route: routeOf('createRequest'), store, auditLog });
    expect(await middleware!.before!(call([], 'c-0'))).toBeUndefined();
    expect(store.records.size).toBe(0);
  });

  it('refuses the key sent twice, even with one value', async () => {
    const store = new MemoryIdempotencyStore();
    const [middleware] = idempotency({ route: routeOf('createRequest'), store, auditLog });
    await expect(middleware!.before!(call(['Idempotency-Key', 'k', 'Idempotency-Key', 'k'], 'c-1'))).rejects.toBeInstanceOf(ValidationError);
  });

  it('stores the first answer and replays it from before, with the replay\'s own id, headers and audit event', async () => {
    const store = new MemoryIdempotencyStore();
    const [middleware] = idempotency({ route: routeOf('createRequest'), store, auditLog });
    const first = call(['Idempotency-Key', 'k-2'], 'c-first');
    expect(await middleware!.before!(first)).toBeUndefined();
    stateOf(first).audit!.identify('req_1');
    first.response = { statusCode: 201, headers: { Location: '/v1/requests/req_1' }, body: '{"requestId":"req_1"}' };
    await middleware!.after!(first);

    const repeat = call(['Idempotency-Key', 'k-2'], 'c-repeat');
    const replayed = await middleware!.before!(repeat);
    expect(replayed).toMatchObject({
      statusCode: 201,
      body: '{"requestId":"req_1"}',
      headers: { Location: '/v1/requests/req_1', [REPLAYED_HEADER]: 'true', 'X-Request-Id': 'c-repeat', 'Cache-Control': 'no-store' },
    });
    expect(events.at(-1)).toMatchObject({ correlationId: 'c-repeat', outcome: 'SUCCESS', statusCode: 201, resource: { id: 'req_1' }, reason: 'idempotent replay of the answer to c-first' });
  });

  it('releases the key when the first call fails with a 5xx, so a retry runs again', async () => {
    const store = new MemoryIdempotencyStore();
    const [middleware] = idempotency({ route: routeOf('createRequest'), store, auditLog });
    const first = call(['Idempotency-Key', 'k-3'], 'c-3');
    await middleware!.before!(first);
    first.error = new Error('table down');
    await middleware!.onError!(first);
    expect([...store.records.values()][0]!.status).toBe('RELEASED');
    const retry = call(['Idempotency-Key', 'k-3'], 'c-4');
    expect(await middleware!.before!(retry)).toBeUndefined();
    expect(stateOf(retry).claim).toBeDefined();
  });
});
