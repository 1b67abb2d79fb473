/**
 * The reminder sweep on DynamoDB Local: due-soon, overdue and expiring-evidence reminders
 * through the date index, each written once across runs, and delivered by the notifier to
 * the right inboxes once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifierDeps, reminderDeps } from '../../functions/composition/notifications.js';
import { sweepReminders } from '../../functions/core/use-cases/reminders.js';
import { createHandler as notifierHandler } from '../../functions/jobs/notifier.js';
import type { DemoUsername } from '../../local/demo-users.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { pollStream, seedMembers } from '../support/notifications.js';

const DAY = 86_400_000;
let offset = 0;
const now = () => new Date(Date.now() + offset);
const dateIn = (days: number) => new Date(now().getTime() + days * DAY).toISOString().slice(0, 10);

let api: TestApi;
let stream: ReturnType<typeof pollStream>;
beforeAll(async () => {
  api = await startTestApi({ now });
  await seedMembers(api.config);
  const queue = { enqueue: async () => undefined };
  stream = pollStream(api.table, notifierHandler({ ...notifierDeps({ ...api.config, deliveryQueue: queue }), log: { info: () => undefined, error: () => undefined } }));
});
afterAll(async () => {
  await stream?.stop();
  await api?.stop();
});

const sweep = () => sweepReminders({ ...reminderDeps(api.config), now });
const remindersOf = async (user: DemoUsername, subjectId: string) =>
  ((await api.call('GET', '/v1/notifications?limit=100', { as: user })).body.items as { event: string; subject: { id: string }; summary: string }[])
    .filter((n) => n.subject.id === subjectId)
    .map((n) => n.event);

describe('the reminder sweep', () => {
  it('writes each reminder once across runs and the notifier delivers each once', async () => {
    const request = (dueDate: string, factoryId = 'F002') =>
      api.call('POST', '/v1/requests', { as: 'buyer2', body: { factoryId, title: `due ${dueDate}`, dueDate, items: [{ docType: 'certificate' }] } }).then((a) => a.body);
    const soon = await request(dateIn(2));
    const later = await request(dateIn(10));
    const overdue = await request(dateIn(1));
    const cancelled = await request(dateIn(1));
    await api.call('POST', `/v1/requests/${cancelled.requestId}/cancel`, { as: 'buyer2', body: {} });

    // Versions expiring in 5 days (the 7-day reminder), in 20 days (the 30-day one), in 60 days (none yet).
    const at = (days: number) => new Date(now().getTime() + days * DAY).toISOString();
    const expiring = await api.call('POST', '/v1/evidence', { as: 'factory2', body: { name: 'BSCI audit', docType: 'audit-report', expiresAt: at(5) } });
    await api.call('POST', `/v1/evidence/${expiring.body.evidenceId}/versions`, { as: 'factory2', body: { expiresAt: at(20) } });
    await api.call('POST', `/v1/evidence/${expiring.body.evidenceId}/versions`, { as: 'factory2', body: { expiresAt: at(60) } });
    // The buyer accepted version 1: its expiry concerns the buyer too.
    const accepting = await api.call('POST', '/v1/requests', { as: 'buyer2', body: { factoryId: 'F002', title: 'audit report', items: [{ docType: 'audit-report' }] } });
    const item = `/v1/requests/${accepting.body.requestId}/items/${accepting.body.items[0].itemId}`;
    expect((await api.call('POST', `${item}/fulfill`, { as: 'factory2', body: { evidenceId: expiring.body.evidenceId, version: 1 } })).status).toBe(200);
    expect((await api.call('POST', `${item}/review`, { as: 'buyer2', body: { decision: 'ACCEPT' } })).status).toBe(200);

    offset = 2 * DAY; // `overdue` (due tomorrow) is now a day late; `soon` is due today
    try {
      const first = await sweep();
      expect(first.dueSoon).toBeGreaterThanOrEqual(1);
      expect(first.overdue).toBeGreaterThanOrEqual(1);
      expect(first.expiring).toBeGreaterThanOrEqual(2);
      expect(await sweep()).toEqual({ dueSoon: 0, overdue: 0, expiring: 0 });
      await stream.poller.caughtUp(15_000);

      for (const user of ['buyer2', 'factory2'] as const) {
        expect(await remindersOf(user, soon.requestId), user).toEqual(['request.due-soon', ...(user === 'factory2' ? ['request.created'] : [])]);
        expect((await remindersOf(user, overdue.requestId)).filter((e) => e !== 'request.created'), user).toEqual(['request.overdue']);
        expect((await remindersOf(user, later.requestId)).filter((e) => e !== 'request.created'), user).toEqual([]);
        expect((await remindersOf(user, cancelled.requestId)).filter((e) => e.startsWith('request.due') || e === 'request.overdue'), user).toEqual([]);
      }
      const factory = await remindersOf('factory2', expiring.body.evidenceId);
      expect(factory).toEqual(['evidence.expiring', 'evidence.expiring']);
      expect(await remindersOf('buyer2', expiring.body.evidenceId)).toEqual(['evidence.expiring']);
      expect(await remindersOf('buyer1', expiring.body.evidenceId)).toEqual([]);
      const summaries = ((await api.call('GET', '/v1/notifications?limit=100', { as: 'buyer2' })).body.items as { subject: { id: string }; summary: string }[]).filter((n) => n.subject.id === expiring.body.evidenceId);
      expect(summaries[0]!.summary).toMatch(/Evidence "BSCI audit" version 1 .* expires on .*\(in 3 days\)/);

      // A day later: nothing repeats, but `soon` is now overdue: that reminder, once.
      offset = 3 * DAY;
      expect(await sweep()).toEqual({ dueSoon: 0, overdue: 1, expiring: 0 });
      expect(await sweep()).toEqual({ dueSoon: 0, overdue: 0, expiring: 0 });
      // Within 7 days of the second version's expiry: its 7-day reminder, once; `later` has become overdue.
      offset = 14 * DAY;
      expect(await sweep()).toEqual({ dueSoon: 0, overdue: 1, expiring: 1 });
      expect(await sweep()).toEqual({ dueSoon: 0, overdue: 0, expiring: 0 });
      await stream.poller.caughtUp(15_000);
      expect(await remindersOf('factory2', expiring.body.evidenceId)).toHaveLength(3);
      expect(await remindersOf('buyer2', expiring.body.evidenceId)).toHaveLength(1);
      expect((await remindersOf('buyer2', soon.requestId)).sort()).toEqual(['request.due-soon', 'request.overdue']);
    } finally {
      offset = 0;
    }
  });
});
