/**
 * DynamoDB throttling, injected at the SDK: the API answers 503 with Retry-After (never a
 * bare 500), and leaves nothing half-written: no change without its audit event, no audit
 * event claiming a change that did not happen, no answered call without its audit event.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamo-client.js';
import { stripKeys } from '../../functions/adapters/dynamo-items.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';
import { LOCAL_REGION } from '../../local/dynamodb-local.js';
import type { Answer } from '../support/api.js';
import { seededRandom, startFaultyApi, type FaultyApi } from './fault-injection.js';

let faulty: FaultyApi;
let reader: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  faulty = await startFaultyApi();
  reader = createDocumentClient({ endpoint: faulty.api.table.endpoint, region: LOCAL_REGION });
});
afterAll(async () => {
  await faulty.stop();
  reader.destroy();
});
beforeEach(() => {
  faulty.faults.rule = () => undefined;
});

const call = (...args: Parameters<FaultyApi['api']['call']>) => faulty.api.call(...args);
const newRequest = (title: string) => ({ factoryId: 'F001', title, items: [{ docType: 'audit-report' }, { docType: 'certificate' }] });

async function scan<T>(entity: string): Promise<T[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 1_000; page++) {
    const answer = await reader.send(
      new ScanCommand({
        TableName: faulty.api.table.tableName,
        FilterExpression: 'entity = :entity',
        ExpressionAttributeValues: { ':entity': entity },
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(answer.Items ?? []));
    startKey = answer.LastEvaluatedKey;
    if (!startKey) break;
  }
  return items.map((item) => stripKeys<T>(item));
}

const eventsOf = async (answer: Answer) => (await faulty.api.auditEvents()).filter((e) => e.correlationId === answer.requestId);

function expectBusy(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ status: 503, correlationId: answer.requestId });
  expect(JSON.stringify(answer.body)).not.toMatch(/Injected|Exception|throughput/i);
}

describe('a throttled DynamoDB', () => {
  it('answers 503 with Retry-After when the create transaction is throttled, and records the failure, not a change', async () => {
    const title = `throttled ${randomUUID()}`;
    faulty.faults.rule = (name) => (name === 'TransactWriteItemsCommand' ? 'provisioned-throughput' : undefined);
    const answer = await call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title) });
    expectBusy(answer);
    faulty.faults.rule = () => undefined;
    expect((await scan<EvidenceRequest>('request')).filter((r) => r.title === title)).toEqual([]);
    const events = await eventsOf(answer);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'request.create', outcome: 'FAILED', statusCode: 503 });
    expect(events[0]!.changes).toBeUndefined();
  });

  it('answers 503 when a transaction is cancelled for throttling', async () => {
    const created = await call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('cancel under throttling') });
    expect(created.status).toBe(201);
    faulty.faults.rule = (name) => (name === 'TransactWriteItemsCommand' ? 'transaction-throttled' : undefined);
    const answer = await call('POST', `/v1/requests/${created.body.requestId}/cancel`, { as: 'buyer1', body: {} });
    expectBusy(answer);
    faulty.faults.rule = () => undefined;
    const after = await call('GET', `/v1/requests/${created.body.requestId}`, { as: 'buyer1' });
    expect(after.body.status).toBe('OPEN');
    expect(await eventsOf(answer)).toMatchObject([{ action: 'request.cancel', outcome: 'FAILED', statusCode: 503 }]);
  });

  it('never answers a read whose audit event could not be stored', async () => {
    const created = await call('POST', '/v1/requests', { as: 'buyer1', body: newRequest('secret title 42') });
    expect(created.status).toBe(201);
    faulty.faults.rule = (name) => (name === 'PutItemCommand' ? 'throttling' : undefined);
    const answer = await call('GET', `/v1/requests/${created.body.requestId}`, { as: 'buyer1' });
    expectBusy(answer);
    expect(JSON.stringify(answer.body)).not.toContain('secret title 42');
    faulty.faults.rule = () => undefined;
    expect(await eventsOf(answer)).toEqual([]);
  });

  it('answers 503 and writes nothing at all when every call is throttled', async () => {
    const title = `all throttled ${randomUUID()}`;
    faulty.faults.rule = () => 'throttling';
    const answer = await call('POST', '/v1/requests', { as: 'buyer1', body: newRequest(title), headers: { 'Idempotency-Key': randomUUID() } });
    expectBusy(answer);
    faulty.faults.rule = () => undefined;
    expect(await eventsOf(answer)).toEqual([]);
    expect((await scan<EvidenceRequest>('request')).filter((r) => r.title === title)).toEqual([]);
  });

  it('keeps table and trail consistent under random throttling of 30% of all DynamoDB calls', async () => {
    const random = seededRandom(20261122);
    const earlier = new Set((await faulty.api.auditEvents()).map((e) => e.eventId));
    const answers: Answer[] = [];
    const record = (answer: Answer) => {
      answers.push(answer);
      return answer;
    };
    /** Retries a call while it is throttled, as a client honouring Retry-After would (bounded, without the wait). */
    const retrying = async (...args: Parameters<FaultyApi['api']['call']>) => {
      let answer = record(await call(...args));
      for (let attempt = 0; attempt < 20 && answer.status === 503; attempt++) answer = record(await call(...args));
      return answer;
    };
    const evidenceAnswer = await retrying('POST', '/v1/evidence', { as: 'factory1', body: { name: 'Audit 2026', docType: 'audit-report' } });
    expect(evidenceAnswer.status).toBe(201);
    faulty.faults.rule = () => (random() < 0.3 ? (random() < 0.5 ? 'throttling' : 'provisioned-throughput') : undefined);

    const title = `chaos ${randomUUID()}`;
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        retrying('POST', '/v1/requests', {
          as: i % 2 ? 'buyer1' : 'buyer2',
          body: newRequest(title),
          // Half the clients retry with an idempotency key: their retries must not double.
          ...(i % 4 < 2 && { headers: { 'Idempotency-Key': `chaos-${i}` } }),
        }),
      ),
    );
    const ok = created.filter((a) => a.status === 201);
    // The checks below are about what was written: some creates must have got through the throttling.
    expect(ok.length, 'creates that succeeded under throttling').toBeGreaterThan(0);
    const fulfilled = await Promise.all(
      ok.map(async (c) => {
        const item = c.body.items[0].itemId as string;
        const fulfil = await retrying('POST', `/v1/requests/${c.body.requestId}/items/${item}/fulfill`, { as: 'factory1', body: { evidenceId: evidenceAnswer.body.evidenceId } });
        await retrying('GET', `/v1/requests/${c.body.requestId}`, { as: 'buyer1' });
        return fulfil.status === 200;
      }),
    );
    expect(fulfilled.filter(Boolean).length, 'fulfilments that succeeded under throttling').toBeGreaterThan(0);
    await retrying('GET', '/v1/requests?limit=50', { as: 'buyer2' });
    faulty.faults.rule = () => undefined;
    expect(faulty.faults.injected.size).toBeGreaterThan(0);

    // Every answer is an answer the contract allows: no 500, and every 503 says when to retry.
    for (const answer of answers) {
      expect([200, 201, 404, 409, 503], JSON.stringify(answer.body)).toContain(answer.status);
      if (answer.status === 503) expectBusy(answer);
    }
    const events = (await faulty.api.auditEvents()).filter((e) => !earlier.has(e.eventId));
    const byCorrelation = new Map<string, AuditEvent[]>();
    for (const e of events) byCorrelation.set(e.correlationId, [...(byCorrelation.get(e.correlationId) ?? []), e]);
    const answered = new Map(answers.map((a) => [a.requestId, a]));

    // Every 2xx has exactly one SUCCESS event; every other answer at most one event, never with changes.
    for (const answer of answers) {
      const own = byCorrelation.get(answer.requestId) ?? [];
      if (answer.status < 300) {
        expect(own, `${answer.status} ${answer.requestId}`).toHaveLength(1);
        expect(own[0]!.outcome).toBe('SUCCESS');
      } else {
        expect(own.length).toBeLessThanOrEqual(1);
        for (const e of own) expect(e.changes).toBeUndefined();
      }
    }
    // No event claims a change that did not happen: each changing event belongs to a 2xx answer.
    for (const e of events.filter((x) => x.changes)) expect(answered.get(e.correlationId)?.status, e.correlationId).toBeLessThan(300);

    // The table holds exactly the requests the 201s announced, each with its one creation event.
    const stored = (await scan<EvidenceRequest>('request')).filter((r) => r.title === title);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.map((r) => r.requestId).sort()).toEqual([...new Set(ok.map((a) => a.body.requestId as string))].sort());
    for (const r of stored) {
      const creations = events.filter((e) => e.action === 'request.create' && e.resource.id === r.requestId && e.changes);
      expect(creations).toHaveLength(1);
      const fulfilments = events.filter((e) => e.action === 'request.item.fulfill' && e.resource.id === r.requestId && e.changes);
      expect(fulfilments).toHaveLength(r.items.filter((i) => i.status === 'FULFILLED').length);
    }
    // A keyed client that retried got one request, however many attempts it took.
    expect(new Set(ok.map((a) => a.body.requestId)).size).toBe(ok.length);
  });
});
