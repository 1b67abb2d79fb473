/**
 * Webhook deliveries against a receiver on this machine: signatures by the Standard Webhooks
 * reference library, retries with backoff after a 500, the webhook disabled (and its org
 * told) after 24 hours of failure, with an injected clock and the worker driven message by
 * message; and the URL guard at registration and again at delivery (DNS rebinding).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookRepository } from '../../functions/composition/notifications.js';
import { documentClient } from '../../functions/composition/table.js';
import type { DeliveryMessage, DeliveryQueue, HostResolver } from '../../functions/core/notification-ports.js';
import { deliverWebhook, type DeliveryDeps } from '../../functions/core/use-cases/notifications.js';
import { MAX_QUEUE_DELAY_SECONDS, deliveryIdOf } from '../../functions/core/webhooks.js';
import { nodeWebhookTransport } from '../../functions/adapters/node-webhook-transport.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { startReceiver } from '../support/notifications.js';

/** Resolves names as the test says: a rebinding attack changes the answer between registration and delivery. */
const dns = new Map<string, string[]>();
const resolveHost: HostResolver = async (host) => dns.get(host) ?? ['203.0.113.10'];

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ urlPolicy: { allowLocalHttp: true }, resolveHost });
});
afterAll(() => api?.stop());

/** The queue as the worker sees it: messages with their delays, handed back one by one by the test. */
function recordingQueue() {
  const sent: { message: DeliveryMessage; delaySeconds: number }[] = [];
  const queue: DeliveryQueue = { enqueue: async (message, delaySeconds) => void sent.push({ message, delaySeconds }) };
  return { queue, sent };
}

async function registered(url: string, events = ['request.created']) {
  const hook = await api.call('POST', '/v1/webhooks', { as: 'factory1', body: { url, events } });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  return hook.body as { webhookId: string; secret: string };
}

const firstMessage = (webhookId: string, at: Date): DeliveryMessage => ({
  deliveryId: deliveryIdOf(webhookId, 'nev_test'),
  webhookId,
  event: 'request.created',
  body: JSON.stringify({ type: 'request.created', timestamp: at.toISOString(), data: { requestId: 'req_x' } }),
  attempt: 1,
  firstAttemptAt: at.toISOString(),
  notBefore: at.toISOString(),
});

describe('webhook deliveries', () => {
  it('retries after a 500 with backoff, signs each attempt anew, and logs every attempt', async () => {
    const receiver = await startReceiver((n) => (n === 1 ? 500 : 200));
    try {
      const hook = await registered(receiver.url);
      receiver.secret.value = hook.secret;
      const { queue, sent } = recordingQueue();
      // Near the real time: the reference library refuses timestamps more than 5 minutes off.
      let now = new Date();
      const deps: DeliveryDeps = { webhooks: webhookRepository(api.config), queue, transport: nodeWebhookTransport, resolveHost, urlPolicy: { allowLocalHttp: true }, now: () => now, random: () => 0 };

      expect(await deliverWebhook(deps, firstMessage(hook.webhookId, now))).toBe('retry');
      expect(sent).toHaveLength(1);
      const retry = sent[0]!;
      expect(retry.message.attempt).toBe(2);
      expect(retry.delaySeconds).toBe(30);
      // Before its time the message only waits again.
      expect(await deliverWebhook(deps, retry.message)).toBe('waiting');
      now = new Date(now.getTime() + 30_000);
      expect(await deliverWebhook(deps, retry.message)).toBe('delivered');

      expect(receiver.received.map((r) => r.status)).toEqual([500, 200]);
      expect(receiver.received.every((r) => r.verified)).toBe(true);
      expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([retry.message.deliveryId]));
      expect(receiver.received[0]!.headers['webhook-timestamp']).not.toBe(receiver.received[1]!.headers['webhook-timestamp']);
      const log = await api.call('GET', `/v1/webhooks/${hook.webhookId}/deliveries`, { as: 'factory1' });
      expect(log.body.items.map((d: { attempt: number; statusCode: number }) => [d.attempt, d.statusCode])).toEqual([[2, 200], [1, 500]]);
      expect((await webhookRepository(api.config).get(hook.webhookId))!.failingSince).toBeUndefined();
    } finally {
      await receiver.stop();
    }
  });

  it('waits out a backoff longer than 15 minutes by re-enqueueing, and disables the webhook after 24 hours of failure, telling its org', async () => {
    const receiver = await startReceiver(() => 500);
    try {
      const hook = await registered(receiver.url);
      const { queue, sent } = recordingQueue();
      const start = new Date('2027-03-02T00:00:00.000Z');
      let now = start;
      const deps: DeliveryDeps = { webhooks: webhookRepository(api.config), queue, transport: nodeWebhookTransport, resolveHost, urlPolicy: { allowLocalHttp: true }, now: () => now, random: () => 0 };
      let message = firstMessage(hook.webhookId, start);
      let outcome = await deliverWebhook(deps, message);
      let hops = 0;
      while (outcome === 'retry' || outcome === 'waiting') {
        const next = sent.at(-1)!;
        expect(next.delaySeconds).toBeLessThanOrEqual(MAX_QUEUE_DELAY_SECONDS);
        now = new Date(now.getTime() + next.delaySeconds * 1000);
        message = next.message;
        outcome = await deliverWebhook(deps, message);
        hops++;
        expect(hops).toBeLessThan(500);
      }
      expect(outcome).toBe('disabled');
      expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(24 * 3600_000);
      expect(sent.some((s) => s.delaySeconds === MAX_QUEUE_DELAY_SECONDS), 'a long backoff is waited out in 15-minute hops').toBe(true);
      const attempts = receiver.received.length;
      expect(attempts).toBeGreaterThan(8);

      const webhook = await api.call('GET', '/v1/webhooks', { as: 'factory1' });
      expect(webhook.body.items.find((w: { webhookId: string }) => w.webhookId === hook.webhookId)).toMatchObject({ status: 'DISABLED', disabledReason: expect.stringMatching(/24 hours/) });
      const events = await api.auditEvents();
      expect(events.find((e) => e.action === 'webhook.auto-disable' && e.resource.id === hook.webhookId)).toMatchObject({ outcome: 'SUCCESS', actor: { userId: 'system' } });
      // The notice its organisation is told of: a marker whose INSERT the notifier turns into notifications (see notifier.test.ts).
      const { Item } = await documentClient(api.config).send(new GetCommand({ TableName: api.config.tableName, Key: { pk: `EVENT#webhook.disabled/${hook.webhookId}`, sk: 'EVENT' } }));
      expect(Item?.event).toMatchObject({ type: 'webhook.disabled', audience: { orgIds: ['F001'] }, subject: { type: 'webhook', id: hook.webhookId } });
      // A disabled webhook gets nothing more.
      expect(await deliverWebhook(deps, { ...message, notBefore: now.toISOString() })).toBe('disabled');
      expect(receiver.received.length).toBe(attempts);
    } finally {
      await receiver.stop();
    }
  });
});

describe('the webhook URL guard', () => {
  it('refuses at registration with 400 on /url, naming the rule', async () => {
    const answer = await api.call('POST', '/v1/webhooks', { as: 'buyer1', body: { url: 'http://hooks.example.com/x', events: ['item.fulfilled'] } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('webhook-url-refused');
    expect(answer.body.errors).toEqual([{ path: '/url', message: 'must be https (or http://127.0.0.1 locally)' }]);
    expect((await api.auditEvents()).find((e) => e.correlationId === answer.requestId)).toMatchObject({ action: 'webhook.create', outcome: 'FAILED', statusCode: 400 });
  });

  it('refuses a name that resolves to a private, loopback or link-local address, whichever of its addresses it is', async () => {
    dns.set('internal.example.com', ['203.0.113.20', '10.0.0.7']);
    dns.set('metadata.example.com', ['169.254.169.254']);
    dns.set('v6loop.example.com', ['::1']);
    for (const host of ['internal.example.com', 'metadata.example.com', 'v6loop.example.com']) {
      const answer = await api.call('POST', '/v1/webhooks', { as: 'buyer1', body: { url: `https://${host}/hook`, events: ['item.fulfilled'] } });
      expect(answer.status, host).toBe(400);
      expect(answer.body.errors[0].message).toMatch(/resolves to/);
    }
  });

  it('checks again at delivery: a name rebound to a private address after registration gets nothing', async () => {
    dns.set('rebind.example.com', ['203.0.113.30']);
    const hook = await api.call('POST', '/v1/webhooks', { as: 'buyer1', body: { url: 'https://rebind.example.com/hook', events: ['item.fulfilled'] } });
    expect(hook.status).toBe(201);
    dns.set('rebind.example.com', ['127.0.0.1']);
    const posted: string[] = [];
    const { queue } = recordingQueue();
    const now = new Date('2027-03-03T00:00:00.000Z');
    const deps: DeliveryDeps = {
      webhooks: webhookRepository(api.config),
      queue,
      transport: { post: async ({ address }) => (posted.push(address), { statusCode: 200 }) },
      resolveHost,
      urlPolicy: { allowLocalHttp: false },
      now: () => now,
    };
    expect(await deliverWebhook(deps, firstMessage(hook.body.webhookId, now))).toBe('retry');
    expect(posted).toEqual([]);
    const log = await api.call('GET', `/v1/webhooks/${hook.body.webhookId}/deliveries`, { as: 'buyer1' });
    expect(log.body.items[0]).toMatchObject({ attempt: 1, error: expect.stringContaining('resolves to 127.0.0.1, which is a loopback address') });
    expect(log.body.items[0].statusCode).toBeUndefined();
    // Back on a public address, the POST goes to exactly the address checked.
    dns.set('rebind.example.com', ['203.0.113.31']);
    expect(await deliverWebhook(deps, firstMessage(hook.body.webhookId, now))).toBe('delivered');
    expect(posted).toEqual(['203.0.113.31']);
  });

  it('lets an owner disable its webhook, an admin see every org\'s, and hides it from other orgs', async () => {
    const hook = await api.call('POST', '/v1/webhooks', { as: 'buyer1', body: { url: 'https://hooks.example.com/b1', events: ['item.fulfilled', 'item.fulfilled'] } });
    expect(hook.body).toMatchObject({ status: 'ACTIVE', events: ['item.fulfilled'], orgId: 'B001' });
    expect((await api.call('GET', '/v1/webhooks', { as: 'buyer1' })).body.items.every((w: { orgId: string; secret?: string }) => w.orgId === 'B001' && w.secret === undefined)).toBe(true);
    expect((await api.call('GET', '/v1/webhooks', { as: 'admin1' })).body.items.map((w: { webhookId: string }) => w.webhookId)).toContain(hook.body.webhookId);
    expect((await api.call('POST', `/v1/webhooks/${hook.body.webhookId}/disable`, { as: 'buyer2', body: {} })).status).toBe(404);
    const disabled = await api.call('POST', `/v1/webhooks/${hook.body.webhookId}/disable`, { as: 'buyer1', body: {} });
    expect(disabled.body).toMatchObject({ status: 'DISABLED', disabledAt: expect.any(String) });
    expect((await api.call('POST', `/v1/webhooks/${hook.body.webhookId}/disable`, { as: 'admin1', body: {} })).body.status).toBe('DISABLED');
    expect((await api.call('POST', '/v1/webhooks', { as: 'buyer1', body: { url: 'https://hooks.example.com/x', events: ['no.such.event'] } })).status).toBe(400);
  });
});
