import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

const newRequest = (overrides: Record<string, unknown> = {}) => ({
  factoryId: 'F001',
  title: 'Annual compliance pack',
  items: [{ docType: 'audit-report' }, { docType: 'certificate', note: 'ISO 9001' }],
  ...overrides,
});

async function createEvidence(docType: string, extra: Record<string, unknown> = {}, as: 'factory1' | 'factory2' = 'factory1') {
  const answer = await api.call('POST', '/v1/evidence', { as, body: { name: `${docType} 2026`, docType, ...extra } });
  expect(answer.status).toBe(201);
  return answer.body.evidenceId as string;
}

describe('the request workflow', () => {
  it('runs create -> fulfil -> review to COMPLETED, visible to both parties', async () => {
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest() });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/requests/${created.body.requestId}`);
    expect(created.body).toMatchObject({ buyerOrgId: 'B001', factoryId: 'F001', status: 'OPEN' });
    const [audit, certificate] = created.body.items;

    const auditEvidence = await createEvidence('audit-report');
    const certificateEvidence = await createEvidence('certificate');
    const base = `/v1/requests/${created.body.requestId}/items`;

    const first = await api.call('POST', `${base}/${audit.itemId}/fulfill`, { as: 'factory1', body: { evidenceId: auditEvidence } });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('IN_PROGRESS');
    expect(first.body.items[0]).toMatchObject({ status: 'FULFILLED', evidenceId: auditEvidence, evidenceVersion: 1 });

    const second = await api.call('POST', `${base}/${certificate.itemId}/fulfill`, { as: 'factory1', body: { evidenceId: certificateEvidence, version: 1 } });
    expect(second.body.status).toBe('FULFILLED');

    const rejected = await api.call('POST', `${base}/${audit.itemId}/review`, { as: 'buyer1', body: { decision: 'REJECT', comment: 'unsigned' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('IN_PROGRESS');
    expect(rejected.body.items[0]).toMatchObject({ status: 'REJECTED', reviewComment: 'unsigned' });

    await api.call('POST', `/v1/evidence/${auditEvidence}/versions`, { as: 'factory1', body: { notes: 'signed' } });
    const again = await api.call('POST', `${base}/${audit.itemId}/fulfill`, { as: 'factory1', body: { evidenceId: auditEvidence } });
    expect(again.body.items[0]).toMatchObject({ status: 'FULFILLED', evidenceVersion: 2 });
    expect(again.body.items[0].reviewComment).toBeUndefined();

    for (const item of [audit, certificate]) {
      const accepted = await api.call('POST', `${base}/${item.itemId}/review`, { as: 'buyer1', body: { decision: 'ACCEPT' } });
      expect(accepted.status).toBe(200);
    }
    const final = await api.call('GET', `/v1/requests/${created.body.requestId}`, { as: 'factory1' });
    expect(final.body.status).toBe('COMPLETED');

    const cancel = await api.call('POST', `/v1/requests/${created.body.requestId}/cancel`, { as: 'buyer1', body: {} });
    expect(cancel.status).toBe(409);
    expect(cancel.headers.get('content-type')).toBe('application/problem+json');
    expect(cancel.body.correlationId).toBe(cancel.requestId);
  });

  it('shows a buyer only the evidence versions shared with it', async () => {
    const evidenceId = await createEvidence('test-report');
    await api.call('POST', `/v1/evidence/${evidenceId}/versions`, { as: 'factory1', body: { notes: 'v2' } });
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest({ items: [{ docType: 'test-report' }] }) });
    const hidden = await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer1' });
    expect(hidden.status).toBe(404);

    await api.call('POST', `/v1/requests/${created.body.requestId}/items/${created.body.items[0].itemId}/fulfill`, {
      as: 'factory1',
      body: { evidenceId, version: 1 },
    });
    const shared = await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer1' });
    expect(shared.status).toBe(200);
    expect(shared.body.latestVersion).toBe(1);
    expect(shared.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'buyer2' })).status).toBe(404);
    expect((await api.call('GET', `/v1/evidence/${evidenceId}`, { as: 'factory1' })).body.latestVersion).toBe(2);
  });

  it('checks the evidence before the state: unknown, foreign, wrong docType, missing and expired versions', async () => {
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest({ items: [{ docType: 'certificate' }] }) });
    const path = `/v1/requests/${created.body.requestId}/items/${created.body.items[0].itemId}/fulfill`;
    const foreign = await createEvidence('certificate', {}, 'factory2');
    const wrongType = await createEvidence('audit-report');
    const expired = await createEvidence('certificate', { expiresAt: '2020-01-01T00:00:00.000Z' });

    const unknown = await api.call('POST', path, { as: 'factory1', body: { evidenceId: 'evd_unknown' } });
    const other = await api.call('POST', path, { as: 'factory1', body: { evidenceId: foreign } });
    expect(unknown.status).toBe(400);
    expect(other.status).toBe(400);
    expect(other.body.errors).toEqual(unknown.body.errors);
    expect(other.body.detail).toEqual(unknown.body.detail);
    expect(unknown.body.errors[0].path).toBe('/evidenceId');

    expect((await api.call('POST', path, { as: 'factory1', body: { evidenceId: wrongType } })).body.errors[0].path).toBe('/evidenceId');
    expect((await api.call('POST', path, { as: 'factory1', body: { evidenceId: expired } })).body.errors[0].path).toBe('/version');
    expect((await api.call('POST', path, { as: 'factory1', body: { evidenceId: expired, version: 7 } })).body.errors[0].path).toBe('/version');

    const events = await api.auditEvents();
    const byId = (id: string) => events.find((e) => e.correlationId === id)!;
    expect(byId(unknown.requestId).outcome).toBe('FAILED');
    expect(byId(other.requestId).outcome).toBe('DENIED');
  });

  it('lists newest first with cursors, within the caller\'s tenant', async () => {
    for (let i = 0; i < 5; i++) await api.call('POST', '/v1/requests', { as: 'buyer2', body: newRequest({ title: `page ${i}` }) });
    const first = await api.call('GET', '/v1/requests?limit=3', { as: 'buyer2' });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(3);
    expect(first.body.items.every((r: { buyerOrgId: string }) => r.buyerOrgId === 'B002')).toBe(true);
    const second = await api.call('GET', `/v1/requests?limit=3&cursor=${first.body.nextCursor}`, { as: 'buyer2' });
    const titles = [...first.body.items, ...second.body.items].map((r: { title: string }) => r.title);
    expect(titles.slice(0, 5)).toEqual(['page 4', 'page 3', 'page 2', 'page 1', 'page 0']);

    const stolen = await api.call('GET', `/v1/requests?cursor=${first.body.nextCursor}`, { as: 'buyer1' });
    expect(stolen.status).toBe(400);
    expect(stolen.body.errors[0].path).toBe('query.cursor');
    const factoryView = await api.call('GET', '/v1/factory/requests?status=OPEN', { as: 'factory1' });
    expect(factoryView.body.items.every((r: { factoryId: string; status: string }) => r.factoryId === 'F001' && r.status === 'OPEN')).toBe(true);
  });

  it('answers /v1/me and the history of a request without network details for parties', async () => {
    const me = await api.call('GET', '/v1/me', { as: 'factory2' });
    expect(me.body).toMatchObject({ username: 'factory2', role: 'factory', orgId: 'F002' });
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest() });
    await api.call('GET', `/v1/requests/${created.body.requestId}`, { as: 'buyer2' });
    const history = await api.call('GET', `/v1/requests/${created.body.requestId}/history`, { as: 'buyer1' });
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { action: string }) => e.action)).toEqual(['request.create']);
    expect(history.body.items[0].sourceIp).toBeUndefined();
    const auditorView = await api.call('GET', `/v1/requests/${created.body.requestId}/history`, { as: 'auditor1' });
    expect(auditorView.body.items.map((e: { outcome: string }) => e.outcome).sort()).toEqual(['DENIED', 'SUCCESS', 'SUCCESS']);
    expect(auditorView.body.items.some((e: { sourceIp?: string }) => e.sourceIp)).toBe(true);
  });
});
