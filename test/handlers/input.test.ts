/** Bad input: always 400 problem+json naming each field, audited as FAILED, never a 5xx. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let requestId: string;
beforeAll(async () => {
  api = await startTestApi();
  const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 't', items: [{ docType: 'x' }] } });
  requestId = created.body.requestId;
});
afterAll(() => api.stop());

const long = (n: number) => 'x'.repeat(n);

describe('bad input', () => {
  const cases: [string, string, string, { body?: unknown; rawBody?: string }, string[]][] = [
    ['missing fields', 'POST', '/v1/requests', { body: {} }, ['/factoryId', '/title', '/items']],
    ['unknown field', 'POST', '/v1/requests', { body: { factoryId: 'F001', title: 't', items: [{ docType: 'x', colour: 'red' }], extra: 1 } }, ['/items/0/colour', '/extra']],
    ['oversized strings', 'POST', '/v1/requests', { body: { factoryId: 'F001', title: long(201), description: long(4001), items: [{ docType: long(101), note: long(1001) }] } }, ['/title', '/description', '/items/0/docType', '/items/0/note']],
    ['wrong types', 'POST', '/v1/requests', { body: { factoryId: 7, title: ['t'], items: 'all' } }, ['/factoryId', '/title', '/items']],
    ['too many items', 'POST', '/v1/requests', { body: { factoryId: 'F001', title: 't', items: Array.from({ length: 51 }, () => ({ docType: 'x' })) } }, ['/items']],
    ['no items', 'POST', '/v1/requests', { body: { factoryId: 'F001', title: 't', items: [] } }, ['/items']],
    ['unregistered factory', 'POST', '/v1/requests', { body: { factoryId: 'F999', title: 't', items: [{ docType: 'x' }] } }, ['/factoryId']],
    ['a buyer as factory', 'POST', '/v1/requests', { body: { factoryId: 'B002', title: 't', items: [{ docType: 'x' }] } }, ['/factoryId']],
    ['bad date', 'POST', '/v1/requests', { body: { factoryId: 'F001', title: 't', dueDate: '2026-02-30', items: [{ docType: 'x' }] } }, ['/dueDate']],
    ['malformed JSON', 'POST', '/v1/requests', { rawBody: '{"factoryId": ' }, ['']],
    ['a JSON array body', 'POST', '/v1/requests', { rawBody: '[]' }, ['']],
    ['bad enum', 'POST', `/v1/requests/REQ/items/ITEM/review`, { body: { decision: 'MAYBE' } }, ['/decision']],
    ['limit too large', 'GET', '/v1/requests?limit=101', {}, ['query.limit']],
    ['limit zero', 'GET', '/v1/requests?limit=0', {}, ['query.limit']],
    ['limit not a number', 'GET', '/v1/requests?limit=ten', {}, ['query.limit']],
    ['unknown query parameter', 'GET', '/v1/requests?sort=title', {}, ['query.sort']],
    ['repeated query parameter', 'GET', '/v1/requests?limit=1&limit=2', {}, ['query.limit']],
    ['bad status', 'GET', '/v1/requests?status=DONE', {}, ['query.status']],
    ['bad cursor', 'GET', '/v1/requests?cursor=not-a-cursor', {}, ['query.cursor']],
    ['forged cursor', 'GET', `/v1/requests?cursor=${Buffer.from(JSON.stringify({ pk: 'REQUEST#x', sk: 'REQUEST', gsi1pk: 'BUYER#B002', gsi1sk: 'z' })).toString('base64url')}`, {}, ['query.cursor']],
    ['id too long', 'GET', `/v1/requests/${long(101)}`, {}, ['path.requestId']],
  ];

  it.each(cases)('%s', async (_name, method, path, options, paths) => {
    const answer = await api.call(method, path.replace('REQ', requestId), { as: 'buyer1', ...options });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400, title: 'Invalid input', correlationId: answer.requestId });
    expect(answer.body.type).toMatch(/^urn:evidence-requests:problem:/);
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(paths));
    for (const error of answer.body.errors) expect(error.message.length).toBeGreaterThan(3);
    const events = (await api.auditEvents()).filter((e) => e.correlationId === answer.requestId);
    expect(events).toMatchObject([{ outcome: 'FAILED', statusCode: 400 }]);
  });

  it('loses nothing: a refused create writes no request', async () => {
    const before = await api.call('GET', '/v1/requests?limit=100', { as: 'buyer1' });
    await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: long(300), items: [{ docType: 'x' }] } });
    const after = await api.call('GET', '/v1/requests?limit=100', { as: 'buyer1' });
    expect(after.body.items).toHaveLength(before.body.items.length);
  });
});
