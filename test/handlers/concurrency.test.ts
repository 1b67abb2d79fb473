/** Concurrent commands: conditional writes decide, never a lock; one wins, the rest learn why. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

describe('concurrency', () => {
  it('10 parallel fulfilments of one item: one 200, nine 409', async () => {
    const evidence = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'cert', docType: 'certificate' } });
    const request = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'race', items: [{ docType: 'certificate' }] } });
    const path = `/v1/requests/${request.body.requestId}/items/${request.body.items[0].itemId}/fulfill`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => api.call('POST', path, { as: 'factory1', body: { evidenceId: evidence.body.evidenceId } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const events = (await api.auditEvents()).filter((e) => e.action === 'request.item.fulfill' && e.resource.id === request.body.requestId);
    expect(events.map((e) => e.outcome).sort()).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'FAILED', 'SUCCESS']);
  });

  it('fulfilments of different items of one request all succeed', async () => {
    const evidence = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'cert', docType: 'certificate' } });
    const request = await api.call('POST', '/v1/requests', {
      as: 'buyer1',
      body: { factoryId: 'F001', title: 'fan-out', items: Array.from({ length: 5 }, () => ({ docType: 'certificate' })) },
    });
    const answers = await Promise.all(
      request.body.items.map((item: { itemId: string }) =>
        api.call('POST', `/v1/requests/${request.body.requestId}/items/${item.itemId}/fulfill`, { as: 'factory1', body: { evidenceId: evidence.body.evidenceId } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const final = await api.call('GET', `/v1/requests/${request.body.requestId}`, { as: 'buyer1' });
    expect(final.body.status).toBe('FULFILLED');
  });

  it('10 parallel version adds give versions 2..11, distinct and contiguous', async () => {
    const evidence = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'report', docType: 'test-report' } });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api.call('POST', `/v1/evidence/${evidence.body.evidenceId}/versions`, { as: 'factory1', body: { notes: `v${i}` } })),
    );
    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const stored = await api.call('GET', `/v1/evidence/${evidence.body.evidenceId}`, { as: 'factory1' });
    expect(stored.body.latestVersion).toBe(11);
    expect(stored.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});
