/** Comments, review history and the cancel record on requests; due dates in the past refused; `dueBefore` and `overdue` filters (API.md 1.1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';

const DAY = 86_400_000;
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const dateIn = (days: number) => new Date(now().getTime() + days * DAY).toISOString().slice(0, 10);

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ now });
});
afterAll(() => api.stop());

const create = async (as: 'buyer1' | 'buyer2', extra: Record<string, unknown> = {}, factoryId = 'F001') => {
  const answer = await api.call('POST', '/v1/requests', { as, body: { factoryId, title: 'due', items: [{ docType: 'certificate' }], ...extra } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
};

describe('due dates', () => {
  it('refuses a due date before today (UTC) with 400 on /dueDate; today and later are accepted', async () => {
    const past = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 't', dueDate: dateIn(-1), items: [{ docType: 'x' }] } });
    expect(past.status).toBe(400);
    expect(past.body.code).toBe('due-date-past');
    expect(past.body.errors).toEqual([{ path: '/dueDate', message: expect.stringContaining('past') }]);
    const ancient = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 't', dueDate: '2020-01-01', items: [{ docType: 'x' }] } });
    expect(ancient.status).toBe(400);
    const event = (await api.auditEvents()).find((e) => e.correlationId === past.requestId);
    expect(event).toMatchObject({ action: 'request.create', outcome: 'FAILED', statusCode: 400 });
    expect((await create('buyer1', { dueDate: dateIn(0) })).dueDate).toBe(dateIn(0));
  });

  it('filters by dueBefore and overdue through the due-date index, for each party and for auditors', async () => {
    const soon = await create('buyer2', { dueDate: dateIn(1) }, 'F002');
    const later = await create('buyer2', { dueDate: dateIn(10) }, 'F002');
    const cancelled = await create('buyer2', { dueDate: dateIn(2) }, 'F002');
    await create('buyer2', {}, 'F002');
    expect((await api.call('POST', `/v1/requests/${cancelled.requestId}/cancel`, { as: 'buyer2', body: {} })).status).toBe(200);
    const ids = (body: { items: { requestId: string }[] }) => body.items.map((r) => r.requestId);

    const dueWithin5 = await api.call('GET', `/v1/requests?dueBefore=${dateIn(5)}`, { as: 'buyer2' });
    expect(dueWithin5.status).toBe(200);
    expect(ids(dueWithin5.body)).toEqual([cancelled.requestId, soon.requestId]);
    const factoryView = await api.call('GET', `/v1/factory/requests?dueBefore=${dateIn(11)}`, { as: 'factory2' });
    expect(ids(factoryView.body)).toEqual([later.requestId, cancelled.requestId, soon.requestId]);
    // Another tenant's index partition is never read.
    expect(ids((await api.call('GET', `/v1/requests?dueBefore=${dateIn(11)}`, { as: 'buyer1' })).body)).not.toContain(soon.requestId);
    // The exact due date is not "before" it.
    expect(ids((await api.call('GET', `/v1/requests?dueBefore=${dateIn(1)}`, { as: 'buyer2' })).body)).toEqual([]);

    expect(ids((await api.call('GET', '/v1/requests?overdue=true', { as: 'buyer2' })).body)).toEqual([]);
    offsetMs = 3 * DAY; // two days past `soon` and past the cancelled one
    try {
      const overdue = await api.call('GET', '/v1/requests?overdue=true', { as: 'buyer2' });
      expect(ids(overdue.body)).toEqual([soon.requestId]);
      expect(ids((await api.call('GET', '/v1/factory/requests?overdue=true', { as: 'factory2' })).body)).toEqual([soon.requestId]);
      const auditor = await api.call('GET', '/v1/requests?overdue=true&limit=100', { as: 'auditor1' });
      expect(ids(auditor.body)).toContain(soon.requestId);
      expect(ids(auditor.body)).not.toContain(cancelled.requestId);
      expect(ids(auditor.body)).not.toContain(later.requestId);
      const withStatus = await api.call('GET', `/v1/requests?overdue=true&status=OPEN&dueBefore=${dateIn(0)}`, { as: 'buyer2' });
      expect(ids(withStatus.body)).toEqual([soon.requestId]);
    } finally {
      offsetMs = 0;
    }
  });

  it('pages a due filter with a sealed cursor bound to that filter', async () => {
    for (let i = 0; i < 3; i++) await create('buyer1', { dueDate: dateIn(20 + i) }, 'F002');
    const first = await api.call('GET', `/v1/requests?dueBefore=${dateIn(30)}&limit=2`, { as: 'buyer1' });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.call('GET', `/v1/requests?dueBefore=${dateIn(30)}&limit=2&cursor=${first.body.nextCursor}`, { as: 'buyer1' });
    expect(second.status).toBe(200);
    const all = [...first.body.items, ...second.body.items].map((r: { dueDate: string }) => r.dueDate);
    expect(all.slice(0, 3)).toEqual([dateIn(22), dateIn(21), dateIn(20)]);
    const replayed = await api.call('GET', `/v1/requests?dueBefore=${dateIn(29)}&limit=2&cursor=${first.body.nextCursor}`, { as: 'buyer1' });
    expect(replayed.status).toBe(400);
    expect(replayed.body.code).toBe('invalid-cursor');
  });

  it.each([
    ['overdue=false', 'query.overdue'],
    ['overdue=1', 'query.overdue'],
    ['dueBefore=2026-02-30', 'query.dueBefore'],
    ['dueBefore=tomorrow', 'query.dueBefore'],
  ])('refuses %s with 400 on %s', async (query, path) => {
    const answer = await api.call('GET', `/v1/requests?${query}`, { as: 'buyer1' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe('comments', () => {
  it('lets both parties comment, oldest first, with the text in the audit changes', async () => {
    const request = await create('buyer1');
    const itemId = request.items[0].itemId;
    const path = `/v1/requests/${request.requestId}/comments`;
    const first = await api.call('POST', path, { as: 'buyer1', body: { text: 'Please send\nthe 2026 one' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      requestId: request.requestId,
      text: 'Please send\nthe 2026 one',
      author: { username: 'buyer1', role: 'buyer', orgId: 'B001', userId: expect.any(String) },
      commentId: expect.stringMatching(/^cmt_/),
    });
    const second = await api.call('POST', path, { as: 'factory1', body: { text: 'On it', itemId } });
    expect(second.status).toBe(201);
    expect(second.body.itemId).toBe(itemId);

    for (const reader of ['buyer1', 'factory1', 'auditor1', 'admin1'] as const) {
      const list = await api.call('GET', path, { as: reader });
      expect(list.status, reader).toBe(200);
      expect(list.body.items.map((c: { text: string }) => c.text)).toEqual(['Please send\nthe 2026 one', 'On it']);
    }
    const paged = await api.call('GET', `${path}?limit=1`, { as: 'buyer1' });
    expect(paged.body.items.map((c: { text: string }) => c.text)).toEqual(['Please send\nthe 2026 one']);
    const rest = await api.call('GET', `${path}?limit=1&cursor=${paged.body.nextCursor}`, { as: 'buyer1' });
    expect(rest.body.items.map((c: { text: string }) => c.text)).toEqual(['On it']);

    const events = await api.auditEvents();
    const created = events.find((e) => e.correlationId === second.requestId);
    expect(created).toMatchObject({ action: 'request.comment.create', outcome: 'SUCCESS', resource: { type: 'request', id: request.requestId } });
    expect(created!.changes).toEqual({ commentId: second.body.commentId, itemId, text: 'On it' });
    expect(events.find((e) => e.correlationId === rest.requestId)).toMatchObject({ action: 'request.comment.list', outcome: 'SUCCESS' });
  });

  it('hides another tenant\'s request (404) and refuses auditors and admins (403)', async () => {
    const request = await create('buyer1');
    const path = `/v1/requests/${request.requestId}/comments`;
    for (const [user, status] of [['buyer2', 404], ['factory2', 404], ['auditor1', 403], ['admin1', 403]] as const) {
      const answer = await api.call('POST', path, { as: user, body: { text: 'x' } });
      expect(answer.status, user).toBe(status);
    }
    expect((await api.call('GET', path, { as: 'buyer2' })).status).toBe(404);
    expect((await api.call('GET', path, { as: 'factory2' })).status).toBe(404);
    expect((await api.call('GET', path, { as: 'buyer1' })).body.items).toEqual([]);
  });

  it.each([
    [{ text: '' }, '/text'],
    [{ text: 'x'.repeat(4001) }, '/text'],
    [{ text: 'bell\u0007' }, '/text'],
    [{}, '/text'],
    [{ text: 'x', itemId: 'itm_nope' }, '/itemId'],
    [{ text: 'x', extra: 1 }, ''],
  ])('refuses %j with 400 on %s', async (body, path) => {
    const request = await create('buyer1');
    const answer = await api.call('POST', `/v1/requests/${request.requestId}/comments`, { as: 'buyer1', body });
    expect(answer.status).toBe(400);
    if (path) expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('accepts a 4,000-character text', async () => {
    const request = await create('buyer1');
    expect((await api.call('POST', `/v1/requests/${request.requestId}/comments`, { as: 'factory1', body: { text: 'y'.repeat(4000) } })).status).toBe(201);
  });
});

describe('review history and the cancel record', () => {
  it('keeps every review on the item after a new fulfilment, with the comment in the audit changes', async () => {
    const evidence = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'cert', docType: 'certificate' } });
    const request = await create('buyer1');
    const item = `/v1/requests/${request.requestId}/items/${request.items[0].itemId}`;
    expect((await api.call('POST', `${item}/fulfill`, { as: 'factory1', body: { evidenceId: evidence.body.evidenceId } })).status).toBe(200);
    const rejected = await api.call('POST', `${item}/review`, { as: 'buyer1', body: { decision: 'REJECT', comment: 'unsigned' } });
    expect(rejected.status).toBe(200);
    const again = await api.call('POST', `${item}/fulfill`, { as: 'factory1', body: { evidenceId: evidence.body.evidenceId } });
    expect(again.body.items[0].reviewComment).toBeUndefined();
    const accepted = await api.call('POST', `${item}/review`, { as: 'buyer1', body: { decision: 'ACCEPT' } });
    const reviews = accepted.body.items[0].reviews;
    expect(reviews).toEqual([
      { decision: 'REJECT', comment: 'unsigned', by: expect.any(String), at: expect.any(String) },
      { decision: 'ACCEPT', by: reviews[0].by, at: expect.any(String) },
    ]);
    expect((await api.call('GET', `/v1/requests/${request.requestId}`, { as: 'factory1' })).body.items[0].reviews).toEqual(reviews);
    const event = (await api.auditEvents()).find((e) => e.correlationId === rejected.requestId);
    expect(event!.changes).toMatchObject({ decision: 'REJECT', comment: 'unsigned' });
  });

  it('keeps who cancelled, when and why on the request', async () => {
    const request = await create('buyer1');
    const cancelled = await api.call('POST', `/v1/requests/${request.requestId}/cancel`, { as: 'buyer1', body: { reason: 'supplier changed' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'supplier changed', cancelledBy: request.createdBy, cancelledAt: cancelled.body.updatedAt });
    const read = await api.call('GET', `/v1/requests/${request.requestId}`, { as: 'factory1' });
    expect(read.body).toMatchObject({ cancelReason: 'supplier changed', cancelledBy: request.createdBy });
    const event = (await api.auditEvents()).find((e) => e.correlationId === cancelled.requestId);
    expect(event!.changes).toMatchObject({ reason: 'supplier changed', requestStatus: { to: 'CANCELLED' } });
  });
});
