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
});
