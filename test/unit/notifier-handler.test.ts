/** The notifier's batch handling with a failure injected: the first failed record is reported, and the retry from it doubles nothing. */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Inbox, InboxEntry } from '../../functions/core/notification-ports.js';
import { createHandler } from '../../functions/jobs/notifier.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';

const request = (n: number): EvidenceRequest => ({
  requestId: `req_${n}`, buyerOrgId: 'B001', factoryId: 'F001', title: `r${n}`, status: 'OPEN',
  items: [{ itemId: 'i1', docType: 'certificate', status: 'PENDING' }], createdAt: `2027-01-01T00:00:0${n}.000Z`, createdBy: 'u', updatedAt: `2027-01-01T00:00:0${n}.000Z`,
});
const record = (n: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2027-01-01T00:00:00.000',
  dynamodb: { SequenceNumber: String(100 + n), Keys: marshall({ pk: `REQUEST#req_${n}`, sk: 'REQUEST' }) as never, NewImage: marshall(request(n)) as never, ApproximateCreationDateTime: 1 },
});

/** An in-memory inbox whose deliveries of `failing` throw (a throttled table), until healed. */
function faultyInbox(failing: Set<string>) {
  const entries = new Map<string, InboxEntry>();
  const inbox: Inbox = {
    deliver: async (entry) => {
      if (failing.has(entry.subject.id)) throw new Error('throttled');
      const key = `${entry.userId}/${entry.notificationId}`;
      const stored = entries.get(key);
      if (stored) return { created: false, stored };
      entries.set(key, entry);
      return { created: true, stored: entry };
    },
    markMailed: async () => undefined,
    list: async () => ({ items: [] }),
    get: async () => undefined,
    markRead: async () => {
      throw new Error('unused');
    },
  };
  return { inbox, entries };
}

describe('the notifier batch', () => {
  it('reports the first record that failed, and its retry writes each inbox entry once', async () => {
    const failing = new Set(['req_3', 'req_6']);
    const { inbox, entries } = faultyInbox(failing);
    const handler = createHandler({
      members: { membersOf: async (orgId) => [{ userId: `u-${orgId}`, username: orgId }] },
      inbox,
      webhooks: { subscribed: async () => [] } as never,
      queue: { enqueue: async () => undefined },
      consoleBaseUrl: 'https://app.example.com',
      now: () => new Date('2027-01-01T00:00:10.000Z'),
      requests: { get: async () => undefined },
      log: { info: () => undefined, error: () => undefined },
    });
    const batch = { Records: [1, 2, 3, 4, 5, 6, 7].map(record) };
    expect(await handler(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: '103' }] });
    expect(entries.size).toBe(5);
    failing.clear();
    // Lambda retries from the reported record; the records after it that succeeded are idempotent.
    expect(await handler({ Records: batch.Records.slice(2) })).toEqual({ batchItemFailures: [] });
    expect(entries.size).toBe(7);
    expect(await handler(batch)).toEqual({ batchItemFailures: [] });
    expect(entries.size).toBe(7);
  });
});
