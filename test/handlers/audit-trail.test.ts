/** Audit completeness: N calls leave N events, matched one to one by X-Request-Id. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('the audit trail', () => {
  it('records exactly one event per audited call, reads and refusals included', async () => {
    const requestIds: string[] = [];
    const call = async (...args: Parameters<TestApi['call']>) => {
      const answer = await api.call(...args);
      requestIds.push(answer.requestId);
      return answer;
    };
    const created = await call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'audit', items: [{ docType: 'x' }] } });
    await call('GET', `/v1/requests/${created.body.requestId}`, { as: 'buyer1' });
    await call('GET', `/v1/requests/${created.body.requestId}`, { as: 'buyer2' });
    await call('GET', '/v1/requests', { as: 'factory1' });
    await call('POST', '/v1/requests', { as: 'factory1', body: {} });
    await call('POST', `/v1/requests/${created.body.requestId}/cancel`, { as: 'buyer1', body: { reason: 'changed plans' } });
    await call('POST', `/v1/requests/${created.body.requestId}/cancel`, { as: 'buyer1', body: {} });
    await call('GET', '/v1/requests/req_missing', { as: 'auditor1' });
    await call('POST', '/v1/evidence', { as: 'factory2', body: { name: 'n', docType: 'x' } });
    await call('GET', '/v1/audit?limit=5', { as: 'admin1' });

    const events = await api.auditEvents();
    const byCorrelation = new Map(events.map((e) => [e.correlationId, e]));
    expect(events).toHaveLength(requestIds.length);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    for (const id of requestIds) expect(byCorrelation.has(id), id).toBe(true);
    expect(requestIds.map((id) => `${byCorrelation.get(id)!.action} ${byCorrelation.get(id)!.outcome} ${byCorrelation.get(id)!.statusCode}`)).toEqual([
      'request.create SUCCESS 201',
      'request.read SUCCESS 200',
      'request.read DENIED 404',
      'request.list SUCCESS 200',
      'request.create DENIED 403',
      'request.cancel SUCCESS 200',
      'request.cancel FAILED 409',
      'request.read FAILED 404',
      'evidence.create SUCCESS 201',
      'audit.read SUCCESS 200',
    ]);
    const cancel = byCorrelation.get(requestIds[5]!)!;
    expect(cancel.changes).toMatchObject({ requestStatus: { from: 'OPEN', to: 'CANCELLED' }, reason: 'changed plans' });
    expect(cancel.actor).toMatchObject({ role: 'buyer', orgId: 'B001' });
  });

  it('answers auditors newest first, filtered, with a window', async () => {
    const from = new Date().toISOString();
    await api.call('GET', '/v1/requests', { as: 'buyer2' });
    await api.call('POST', '/v1/evidence', { as: 'buyer2', body: { name: 'n', docType: 'x' } });
    const all = await api.call('GET', `/v1/audit?from=${from}`, { as: 'auditor1' });
    expect(all.body.items.map((e: { action: string }) => e.action)).toEqual(['evidence.create', 'request.list']);
    const denied = await api.call('GET', `/v1/audit?from=${from}&outcome=DENIED`, { as: 'auditor1' });
    expect(denied.body.items).toHaveLength(1);
    const me = await api.call('GET', '/v1/me', { as: 'buyer2' });
    const byActor = await api.call('GET', `/v1/audit?actorId=${me.body.userId}&action=request.list&from=${from}`, { as: 'admin1' });
    expect(byActor.body.items).toHaveLength(1);
    const before = await api.call('GET', `/v1/audit?to=${from}&limit=2`, { as: 'auditor1' });
    expect(before.body.items.every((e: { occurredAt: string }) => e.occurredAt < from)).toBe(true);
    expect(before.body.nextCursor).toBeDefined();
    expect((await api.call('GET', '/v1/audit', { as: 'buyer1' })).status).toBe(403);
  });

  it('pages every-tenant lists across their index shards newest first, nothing missing or repeated', async () => {
    for (let i = 0; i < 12; i++) {
      await api.call('POST', '/v1/requests', { as: i % 2 ? 'buyer1' : 'buyer2', body: { factoryId: i % 3 ? 'F001' : 'F002', title: `shard ${i}`, items: [{ docType: 'x' }] } });
      if (i % 4 === 0) await api.call('GET', '/v1/audit', { as: 'factory1' });
    }
    const pageThrough = async (path: string, as: 'auditor1' | 'admin1') => {
      const seen: { sortKey: string; id: string }[] = [];
      let cursor: string | undefined;
      for (let round = 0; round < 100; round++) {
        const answer = await api.call('GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`, { as });
        expect(answer.status).toBe(200);
        for (const item of answer.body.items) {
          seen.push(item.eventId ? { sortKey: `${item.occurredAt}#${item.eventId}`, id: item.eventId } : { sortKey: `${item.createdAt}#${item.requestId}`, id: item.requestId });
        }
        cursor = answer.body.nextCursor;
        if (!cursor) break;
      }
      return seen;
    };

    const events = await pageThrough('/v1/audit?limit=4', 'auditor1');
    const stored = (await api.auditEvents()).map((e) => `${e.occurredAt}#${e.eventId}`).sort().reverse();
    // The listing's own read events are recorded after each page: compare what existed before it began.
    expect(events.map((e) => e.sortKey)).toEqual(stored.filter((key) => key <= events[0]!.sortKey));

    const denied = await pageThrough('/v1/audit?limit=3&outcome=DENIED', 'admin1');
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(new Set(denied.map((e) => e.id)).size).toBe(denied.length);
    expect(denied.map((e) => e.sortKey)).toEqual([...denied.map((e) => e.sortKey)].sort().reverse());

    const requests = await pageThrough('/v1/requests?limit=5', 'auditor1');
    expect(requests.length).toBeGreaterThanOrEqual(12);
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
    expect(requests.map((r) => r.sortKey)).toEqual([...requests.map((r) => r.sortKey)].sort().reverse());
  });
});
