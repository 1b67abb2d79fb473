/** `Idempotency-Key` on POSTs, through HTTP on DynamoDB Local (API.md, "Idempotency and limits"). */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo-client.js';
import { DynamoRequestRepository } from '../../functions/adapters/dynamo-request-repository.js';
import { ServiceBusyError } from '../../functions/core/errors.js';
import type { RequestRepository } from '../../functions/core/ports.js';
import { LOCAL_REGION } from '../../local/dynamodb-local.js';
import { startTestApi, type TestApi } from '../support/api.js';

/** A request repository whose `create` can be held at a gate or made to fail: set `inner` once the table exists. */
class ControlledRequests implements RequestRepository {
  inner!: RequestRepository;
  gate: Promise<void> | undefined;
  failNextCreates = 0;
  createCalls = 0;
  get: RequestRepository['get'] = (id) => this.inner.get(id);
  update: RequestRepository['update'] = (...args) => this.inner.update(...args);
  list: RequestRepository['list'] = (...args) => this.inner.list(...args);
  create: RequestRepository['create'] = async (...args) => {
    this.createCalls += 1;
    if (this.failNextCreates > 0) {
      this.failNextCreates -= 1;
      throw new ServiceBusyError(1);
    }
    await this.gate;
    return this.inner.create(...args);
  };
}

let api: TestApi;
const requests = new ControlledRequests();
let offsetMs = 0;

beforeAll(async () => {
  api = await startTestApi({ requests, now: () => new Date(Date.now() + offsetMs) });
  requests.inner = new DynamoRequestRepository(createDocumentClient({ endpoint: api.table.endpoint, region: LOCAL_REGION }), {
    tableName: api.table.tableName,
    auditTtlDays: 90,
  });
});
afterAll(() => api.stop());

const newRequest = (title = 'Idempotent pack') => ({ factoryId: 'F001', title, items: [{ docType: 'audit-report', note: 'signed' }] });
const key = () => `key-${randomUUID()}`;
const withKey = (k: string) => ({ 'Idempotency-Key': k });

async function eventsOf(correlationId: string) {
  return (await api.auditEvents()).filter((e) => e.correlationId === correlationId);
}

async function requestsTitled(title: string) {
  const list = await api.call('GET', '/v1/requests?limit=100', { as: 'buyer1' });
  return (list.body.items as { title: string }[]).filter((r) => r.title === title);
}

describe('Idempotency-Key on POST /v1/requests', () => {
  it('replays the first answer for the same key and an equal body, and creates nothing more', async () => {
    const k = key();
    const title = `pack ${k}`;
    const first = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
    expect(first.status).toBe(201);

    // The same JSON value with other key order and whitespace.
    const reordered = `{ "items": [ { "note": "signed", "docType": "audit-report" } ],\n "title": ${JSON.stringify(title)}, "factoryId": "F001" }`;
    const again = await api.call('POST', '/v1/requests', { as: 'buyer1', rawBody: reordered, headers: withKey(k) });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.requestId).not.toBe(first.requestId);

    expect(await requestsTitled(title)).toHaveLength(1);
    const [original] = await eventsOf(first.requestId);
    const [replay] = await eventsOf(again.requestId);
    expect(original).toMatchObject({ action: 'request.create', outcome: 'SUCCESS', statusCode: 201, resource: { id: first.body.requestId } });
    expect(original!.changes).toBeDefined();
    expect(replay).toMatchObject({ action: 'request.create', outcome: 'SUCCESS', statusCode: 201, resource: { id: first.body.requestId } });
    expect(replay!.reason).toContain(first.requestId);
    expect(replay!.changes).toBeUndefined();
  });

  it('answers 422 for the same key with another body, audited, and creates nothing', async () => {
    const k = key();
    const first = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(`a ${k}`), headers: withKey(k) });
    expect(first.status).toBe(201);
    const other = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(`b ${k}`), headers: withKey(k) });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(other.body).toMatchObject({ status: 422, correlationId: other.requestId, type: expect.stringContaining('idempotency-key-reused') });
    expect(await requestsTitled(`b ${k}`)).toHaveLength(0);
    expect(await eventsOf(other.requestId)).toMatchObject([{ action: 'request.create', outcome: 'FAILED', statusCode: 422 }]);
  });

  it('scopes keys to the user, the method and the path', async () => {
    const k = key();
    const mine = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(`scope ${k}`), headers: withKey(k) });
    const theirs = await api.call('POST', '/v1/requests', { as: 'buyer2', body: newRequest(`scope ${k}`), headers: withKey(k) });
    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(theirs.body.requestId).not.toBe(mine.body.requestId);
    const cancel = await api.call('POST', `/v1/requests/${mine.body.requestId}/cancel`, { as: 'buyer1', body: {}, headers: withKey(k) });
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('CANCELLED');
  });

  it('runs again once the key is older than 24 hours', async () => {
    const k = key();
    const title = `old ${k}`;
    const first = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
    offsetMs = 24 * 3600_000 + 1_000;
    try {
      const later = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      expect(later.status).toBe(201);
      expect(later.body.requestId).not.toBe(first.body.requestId);
      expect(later.headers.get('idempotent-replayed')).toBeNull();
    } finally {
      offsetMs = 0;
    }
  });

  it('refuses keys that are not 1-128 printable ASCII characters, on header.Idempotency-Key', async () => {
    for (const bad of ['', 'x'.repeat(129), 'tab\there', 'caf\u00e9']) {
      const answer = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('bad key'), headers: withKey(bad) });
      expect(answer.status, JSON.stringify(bad)).toBe(400);
      expect(answer.body.errors).toEqual([{ path: 'header.Idempotency-Key', message: expect.any(String) }]);
      expect(await eventsOf(answer.requestId)).toMatchObject([{ outcome: 'FAILED', statusCode: 400 }]);
    }
    expect(await requestsTitled('bad key')).toHaveLength(0);
    const longest = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('long key'), headers: withKey('~'.repeat(128)) });
    expect(longest.status).toBe(201);
  });

  it('lets a retry run again after a 5xx (the claim is released, not kept)', async () => {
    const k = key();
    const title = `busy ${k}`;
    requests.failNextCreates = 1;
    const busy = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    const retry = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await requestsTitled(title)).toHaveLength(1);
  });

  it('answers 409 to a repeat while the first call is still in flight, then replays once it is done', async () => {
    const k = key();
    const title = `slow ${k}`;
    let open!: () => void;
    requests.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      const calls = requests.createCalls;
      const first = api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      // Wait (bounded) until the first call holds the key and sits at the gate.
      for (let i = 0; i < 200 && requests.createCalls === calls; i++) await new Promise((r) => setTimeout(r, 10));
      const repeat = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      expect(repeat.status).toBe(409);
      expect(repeat.body).toMatchObject({ type: expect.stringContaining('idempotent-request-in-flight'), correlationId: repeat.requestId });
      open();
      const done = await first;
      expect(done.status).toBe(201);
      const after = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      expect(after.status).toBe(201);
      expect(after.body.requestId).toBe(done.body.requestId);
    } finally {
      requests.gate = undefined;
    }
  });

  it('lets a repeat that arrives while the first is in flight wait for its answer', async () => {
    const k = key();
    const title = `wait ${k}`;
    let open!: () => void;
    requests.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      const calls = requests.createCalls;
      const first = api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      for (let i = 0; i < 200 && requests.createCalls === calls; i++) await new Promise((r) => setTimeout(r, 10));
      const repeat = api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: withKey(k) });
      setTimeout(open, 150);
      const [a, b] = await Promise.all([first, repeat]);
      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(b.body.requestId).toBe(a.body.requestId);
      expect(b.headers.get('idempotent-replayed')).toBe('true');
      expect(await requestsTitled(title)).toHaveLength(1);
    } finally {
      requests.gate = undefined;
    }
  });
});

describe('Idempotency-Key on commands', () => {
  it('replays a success even after the state moved on, and replays a refusal with the replay\'s correlationId', async () => {
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('cancel me') });
    const cancelPath = `/v1/requests/${created.body.requestId}/cancel`;
    const k1 = key();
    const cancelled = await api.call('POST', cancelPath, { as: 'buyer1', body: { reason: 'no longer needed' }, headers: withKey(k1) });
    expect(cancelled.status).toBe(200);
    const replayed = await api.call('POST', cancelPath, { as: 'buyer1', body: { reason: 'no longer needed' }, headers: withKey(k1) });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(cancelled.body);

    const k2 = key();
    const conflict = await api.call('POST', cancelPath, { as: 'buyer1', body: {}, headers: withKey(k2) });
    expect(conflict.status).toBe(409);
    const conflictAgain = await api.call('POST', cancelPath, { as: 'buyer1', body: {}, headers: withKey(k2) });
    expect(conflictAgain.status).toBe(409);
    expect(conflictAgain.headers.get('content-type')).toBe('application/problem+json');
    expect(conflictAgain.body).toEqual({ ...conflict.body, correlationId: conflictAgain.requestId });
    expect(await eventsOf(conflictAgain.requestId)).toMatchObject([{ action: 'request.cancel', outcome: 'FAILED', statusCode: 409 }]);

    // Only the first cancel changed anything: one event with changes for this request.
    const changing = (await api.auditEvents()).filter((e) => e.resource.id === created.body.requestId && e.action === 'request.cancel' && e.changes);
    expect(changing).toHaveLength(1);
  });

  it('replays a refusal that hides another tenant as DENIED', async () => {
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('not yours') });
    const k = key();
    const path = `/v1/requests/${created.body.requestId}/cancel`;
    const first = await api.call('POST', path, { as: 'buyer2', body: {}, headers: withKey(k) });
    const again = await api.call('POST', path, { as: 'buyer2', body: {}, headers: withKey(k) });
    expect([first.status, again.status]).toEqual([404, 404]);
    expect(await eventsOf(again.requestId)).toMatchObject([{ outcome: 'DENIED', statusCode: 404 }]);
  });

  it('keeps POSTs without a key working as before', async () => {
    const a = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'cert', docType: 'certificate' } });
    const b = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'cert', docType: 'certificate' } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.evidenceId).not.toBe(b.body.evidenceId);
  });
});
