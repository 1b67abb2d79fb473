/** The local stand-in for the delivery queue: delays honoured, a failed message received again, dead-lettered after maxReceiveCount, kept across a restart. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeliveryMessage } from '../../functions/core/notification-ports.js';
import { createDelayedQueue } from '../../local/delayed-queue.js';

const message = (deliveryId: string): DeliveryMessage => ({ deliveryId, webhookId: 'whk_1', event: 'request.created', body: '{}', attempt: 1, firstAttemptAt: '2027-01-01T00:00:00.000Z', notBefore: '2027-01-01T00:00:00.000Z' });

describe('the local delayed queue', () => {
  it('hands a message over once its delay has passed, SQS-shaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-'));
    const queue = createDelayedQueue({ failureFile: join(dir, 'dead.jsonl') });
    const seen: { id: string; at: number; count: string }[] = [];
    queue.connect(async (event) => {
      for (const r of event.Records) seen.push({ id: JSON.parse(r.body).deliveryId, at: Date.now(), count: r.attributes.ApproximateReceiveCount });
      return { batchItemFailures: [] };
    });
    const start = Date.now();
    await queue.enqueue(message('later'), 1);
    await queue.enqueue(message('now'), 0);
    await queue.idle();
    expect(seen.map((s) => s.id)).toEqual(['now', 'later']);
    expect(seen[1]!.at - start).toBeGreaterThanOrEqual(950);
    expect(seen.every((s) => s.count === '1')).toBe(true);
    await queue.stop();
  });

  it('receives a failed message again, then dead-letters it after maxReceiveCount', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-'));
    const failureFile = join(dir, 'dead.jsonl');
    const logged: string[] = [];
    const queue = createDelayedQueue({ failureFile, maxReceiveCount: 3, visibilityTimeoutMs: 10, log: (m) => logged.push(m) });
    let received = 0;
    queue.connect(async (event) => {
      received++;
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await queue.enqueue(message('poison'), 0);
    await queue.idle();
    expect(received).toBe(3);
    const dead = readFileSync(failureFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead).toEqual([expect.objectContaining({ receiveCount: 3, body: expect.objectContaining({ deliveryId: 'poison' }) })]);
    expect(logged).toEqual(['webhook delivery message dead-lettered']);
    await queue.stop();
  });

  it('keeps messages still waiting at stop for the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'queue-'));
    const stateFile = join(dir, 'queue.json');
    const first = createDelayedQueue({ failureFile: join(dir, 'dead.jsonl'), stateFile });
    first.connect(async () => ({ batchItemFailures: [] }));
    await first.enqueue(message('kept'), 0.3);
    await first.stop();
    expect(existsSync(stateFile)).toBe(true);
    const second = createDelayedQueue({ failureFile: join(dir, 'dead.jsonl'), stateFile });
    const seen: string[] = [];
    second.connect(async (event) => (seen.push(...event.Records.map((r) => JSON.parse(r.body).deliveryId)), { batchItemFailures: [] }));
    await second.idle();
    expect(seen).toEqual(['kept']);
    await second.stop();
  });
});
