/**
 * The notifier on DynamoDB Local's stream: the API's changes become notifications in the
 * right inboxes, once each, and signed webhook deliveries through the local delayed queue;
 * a redelivered batch, or the whole stream read again, notifies nobody twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifierDeps, webhookWorkerDeps } from '../../functions/composition/notifications.js';
import { createHandler as notifierHandler } from '../../functions/jobs/notifier.js';
import { createHandler as webhookWorker } from '../../functions/jobs/webhook-worker.js';
import type { DemoUsername } from '../../local/demo-users.js';
import { createDelayedQueue, type LocalDelayedQueue } from '../../local/delayed-queue.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { pollStream, seedMembers, startReceiver } from '../support/notifications.js';

let api: TestApi;
let queue: LocalDelayedQueue;
let stream: ReturnType<typeof pollStream>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let notifier: ReturnType<typeof notifierHandler>;
const quiet = { info: () => undefined, error: () => undefined };

beforeAll(async () => {
  api = await startTestApi({ urlPolicy: { allowLocalHttp: true } });
  await seedMembers(api.config);
  receiver = await startReceiver();
  queue = createDelayedQueue({ failureFile: join(mkdtempSync(join(tmpdir(), 'deliveries-')), 'dead-letters.jsonl') });
  const settings = { ...api.config, deliveryQueue: queue, allowLocalWebhooks: true };
  queue.connect(webhookWorker(webhookWorkerDeps(settings)));
  notifier = notifierHandler({ ...notifierDeps(settings), log: quiet });
  stream = pollStream(api.table, notifier);
});
afterAll(async () => {
  await stream?.stop();
  await queue?.stop();
  await receiver?.stop();
  await api?.stop();
});

const settle = async () => {
  await stream.poller.caughtUp(15_000);
  await queue.idle();
};
const inboxOf = async (user: DemoUsername, query = '') => (await api.call('GET', `/v1/notifications${query}`, { as: user })).body.items as { notificationId: string; event: string; subject: { id: string }; summary: string; readAt?: string }[];
const eventsOf = async (user: DemoUsername, requestId: string) => (await inboxOf(user, '?limit=100')).filter((n) => n.subject.id === requestId).map((n) => n.event);

describe('the notifier on the table stream', () => {
  let requestId: string;

  it('tells each party of each change once, in-app and by signed webhook', async () => {
    const hook = await api.call('POST', '/v1/webhooks', { as: 'factory1', body: { url: receiver.url, events: ['request.created', 'item.reviewed', 'request.cancelled', 'comment.created'] } });
    expect(hook.status).toBe(201);
    expect(hook.body.secret).toMatch(/^whsec_/);
    receiver.secret.value = hook.body.secret;

    const evidence = await api.call('POST', '/v1/evidence', { as: 'factory1', body: { name: 'ISO 9001', docType: 'certificate' } });
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'Spring audit', items: [{ docType: 'certificate' }, { docType: 'certificate' }] } });
    requestId = created.body.requestId;
    const [first] = created.body.items;
    const item = `/v1/requests/${requestId}/items/${first.itemId}`;
    expect((await api.call('POST', `${item}/fulfill`, { as: 'factory1', body: { evidenceId: evidence.body.evidenceId } })).status).toBe(200);
    expect((await api.call('POST', `${item}/review`, { as: 'buyer1', body: { decision: 'REJECT', comment: 'unsigned' } })).status).toBe(200);
    expect((await api.call('POST', `/v1/requests/${requestId}/comments`, { as: 'factory1', body: { text: 'signed copy follows' } })).status).toBe(201);
    expect((await api.call('POST', `/v1/requests/${requestId}/cancel`, { as: 'buyer1', body: { reason: 'supplier changed' } })).status).toBe(200);
    await settle();

    expect(await eventsOf('factory1', requestId)).toEqual(['request.cancelled', 'item.reviewed', 'request.created']);
    expect(await eventsOf('buyer1', requestId)).toEqual(['comment.created', 'item.fulfilled']);
    for (const outsider of ['buyer2', 'factory2', 'admin1', 'auditor1'] as const) expect(await eventsOf(outsider, requestId), outsider).toEqual([]);
    const [newest] = (await inboxOf('factory1')).filter((n) => n.subject.id === requestId);
    expect(newest!.summary).toContain('"Spring audit"');
    expect(newest!.summary).toContain(requestId);

    // Webhooks promise no order (the notifier works on several records at once): order by the event's time.
    const deliveries = receiver.received.filter((r) => r.body.includes(requestId)).sort((a, b) => (JSON.parse(a.body).timestamp < JSON.parse(b.body).timestamp ? -1 : 1));
    expect(deliveries.map((r) => JSON.parse(r.body).type)).toEqual(['request.created', 'item.reviewed', 'request.cancelled']);
    for (const d of deliveries) {
      expect(d.verified, 'the Standard Webhooks reference library accepts the signature').toBe(true);
      expect(d.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(JSON.parse(d.body)).toMatchObject({ timestamp: expect.any(String), data: { requestId, link: `http://127.0.0.1:3000/requests/${requestId}` } });
    }
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(3);
    const log = await api.call('GET', `/v1/webhooks/${hook.body.webhookId}/deliveries`, { as: 'factory1' });
    expect(log.body.items.filter((d: { statusCode: number }) => d.statusCode === 204).length).toBeGreaterThanOrEqual(3);
  });

  it('notifies nobody twice when a batch is redelivered or the whole stream is read again', async () => {
    const before = { factory: await eventsOf('factory1', requestId), buyer: await eventsOf('buyer1', requestId), deliveries: receiver.received.length };
    for (const batch of stream.batches) expect(await notifier(batch)).toEqual({ batchItemFailures: [] });
    await queue.idle();
    const again = pollStream(api.table, notifier);
    try {
      await again.poller.caughtUp(15_000);
      expect(again.batches.length).toBeGreaterThan(0);
    } finally {
      await again.stop();
    }
    await queue.idle();
    expect(await eventsOf('factory1', requestId)).toEqual(before.factory);
    expect(await eventsOf('buyer1', requestId)).toEqual(before.buyer);
    expect(receiver.received.length).toBe(before.deliveries);
  });

  it('marks a notification read for its recipient only; unread=true leaves it out', async () => {
    const [notification] = (await inboxOf('buyer1')).filter((n) => n.subject.id === requestId);
    const read = await api.call('POST', `/v1/notifications/${notification!.notificationId}/read`, { as: 'buyer1', body: {} });
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    const again = await api.call('POST', `/v1/notifications/${notification!.notificationId}/read`, { as: 'buyer1', body: {} });
    expect(again.body.readAt).toBe(read.body.readAt);
    expect((await inboxOf('buyer1', '?unread=true')).map((n) => n.notificationId)).not.toContain(notification!.notificationId);
    const foreign = await api.call('POST', `/v1/notifications/${notification!.notificationId}/read`, { as: 'buyer2', body: {} });
    expect(foreign.status).toBe(404);
    expect((await api.auditEvents()).find((e) => e.correlationId === foreign.requestId)).toMatchObject({ action: 'notification.read', outcome: 'DENIED' });
  });
});
