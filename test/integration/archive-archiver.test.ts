import { createHash } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoArchiveBatchLedger } from '../../functions/adapters/dynamo-archive-batches.js';
import { auditItem, requestItem } from '../../functions/adapters/dynamo-items.js';
import type { ArchiveWriter } from '../../functions/archive/ports.js';
import { streamLabelOf } from '../../functions/archive/records.js';
import { createHandler } from '../../functions/jobs/archiver.js';
import { startStreamPoller } from '../../local/stream-poller.js';
import { join } from 'node:path';
import {
  auditEvent,
  readArchive,
  request,
  startArchiveHarness,
  writeAuditEvents,
  writeRequestWithAudit,
  type ArchiveHarness,
} from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

const quiet = { info: () => {}, error: () => {} };
const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-11-22T10:00:00.000';

let sequence = 1000n;
function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', oldItem?: Record<string, unknown>, newItem?: Record<string, unknown>, extra: Partial<DynamoDBRecord> = {}): DynamoDBRecord {
  const item = (newItem ?? oldItem)!;
  sequence += 100n;
  return {
    eventID: String(sequence),
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: STREAM_ARN,
    dynamodb: {
      ApproximateCreationDateTime: 1_795_000_000,
      Keys: marshall({ pk: item['pk'], sk: item['sk'] }) as never,
      ...(newItem ? { NewImage: marshall(newItem, { removeUndefinedValues: true }) as never } : {}),
      ...(oldItem ? { OldImage: marshall(oldItem, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    ...extra,
  };
}

describe('archiver handler', () => {
  let harness: ArchiveHarness;
  beforeAll(async () => {
    harness = await startArchiveHarness();
  });
  afterAll(async () => harness.close());

  it('writes audit events to audit/ and entity changes with both images to changes/, by day', async () => {
    const event = auditEvent({ occurredAt: '2026-11-22T10:00:00.000Z' });
    const before = request({ requestId: 'r-1' });
    const after = { ...before, status: 'CANCELLED' as const };
    const handler = createHandler({ writer: harness.store, log: quiet });
    const answer = await handler({
      Records: [
        streamRecord('INSERT', undefined, auditItem(event, 90)),
        streamRecord('MODIFY', requestItem(before, 1), requestItem(after, 2)),
        streamRecord('INSERT', undefined, { pk: 'IDEMPOTENCY#x', sk: 'IDEMPOTENCY' }),
        streamRecord('INSERT', undefined, { pk: 'SYSTEM#manifest-head', sk: 'manifest-head' }),
      ],
    });
    expect(answer.batchItemFailures).toEqual([]);
    const audit = await readArchive(harness.store, 'audit/dt=2026-11-22/');
    expect(audit.map((a) => a.record)).toEqual([event]);
    const changes = await readArchive(harness.store, 'changes/');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.key).toMatch(/^changes\/dt=2026-11-18\/.*\.json\.gz$/);
    expect(changes[0]!.record).toMatchObject({
      eventName: 'MODIFY',
      entityType: 'request',
      entityId: 'r-1',
      oldImage: { status: 'OPEN', revision: 1 },
      newImage: { status: 'CANCELLED', revision: 2 },
    });
    expect(changes[0]!.record['oldImage']).not.toHaveProperty('pk');
  });

  it('adds nothing when a batch is redelivered', async () => {
    const handler = createHandler({ writer: harness.store, log: quiet });
    const batch: DynamoDBStreamEvent = {
      Records: [1, 2, 3].map(() => streamRecord('INSERT', undefined, auditItem(auditEvent({ occurredAt: '2026-11-23T10:00:00.000Z' }), 90))),
    };
    await handler(batch);
    const first = await readArchive(harness.store, 'audit/dt=2026-11-23/');
    const again = await handler(batch);
    expect(again.batchItemFailures).toEqual([]);
    const second = await readArchive(harness.store, 'audit/dt=2026-11-23/');
    expect(second).toEqual(first);
    expect(second).toHaveLength(3);
  });

  it('writes each key once: a second PUT of the key is refused by the store and reported as existing', async () => {
    const body = new Uint8Array([1, 2, 3]);
    const object = { key: 'audit/dt=2026-01-01/once.json.gz', body, sha256: createHash('sha256').update(body).digest('hex'), md5: createHash('md5').update(body).digest('base64'), contentType: 'application/gzip' };
    expect(await harness.store.putObject(object)).toBe('created');
    expect(await harness.store.putObject({ ...object })).toBe('exists');
  });

  it('records a TTL removal as system expiry and any other removal as a user deletion', async () => {
    const handler = createHandler({ writer: harness.store, log: quiet });
    const expired = auditItem(auditEvent(), 90);
    const deleted = requestItem(request({ requestId: 'r-deleted' }), 1);
    await handler({
      Records: [
        streamRecord('REMOVE', expired, undefined, { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }),
        streamRecord('REMOVE', deleted, undefined),
      ],
    });
    const changes = (await readArchive(harness.store, 'changes/')).map((c) => c.record);
    expect(changes.find((c) => c['entityType'] === 'audit')).toMatchObject({ eventName: 'REMOVE', removalCause: 'SYSTEM_EXPIRY' });
    expect(changes.find((c) => c['entityId'] === 'r-deleted')).toMatchObject({ eventName: 'REMOVE', removalCause: 'USER' });
  });

  it('reports an invalid audit item as the failed record after archiving the records before it', async () => {
    const handler = createHandler({ writer: harness.store, log: quiet });
    const good = auditEvent({ occurredAt: '2026-11-24T10:00:00.000Z' });
    const bad = streamRecord('INSERT', undefined, { pk: 'AUDIT#bad', sk: 'AUDIT', eventId: 'bad' });
    const after = streamRecord('INSERT', undefined, auditItem(auditEvent({ occurredAt: '2026-11-24T11:00:00.000Z' }), 90));
    const answer = await handler({ Records: [streamRecord('INSERT', undefined, auditItem(good, 90)), bad, after] });
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: bad.dynamodb!.SequenceNumber }]);
    expect((await readArchive(harness.store, 'audit/dt=2026-11-24/')).map((a) => a.record)).toEqual([good]);
  });

  it('reports the whole batch when a write fails, so it is redelivered from its first record', async () => {
    const failing: ArchiveWriter = { putObject: async () => Promise.reject(new Error('SlowDown')) };
    const handler = createHandler({ writer: failing, log: quiet });
    const records = [streamRecord('INSERT', undefined, auditItem(auditEvent(), 90)), streamRecord('INSERT', undefined, auditItem(auditEvent(), 90))];
    const answer = await handler({ Records: records });
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.dynamodb!.SequenceNumber }]);
  });

  it('sends an explicit SHA-256 checksum and Content-MD5 on every PUT, write-once', async () => {
    expect(harness.puts.length).toBeGreaterThan(3);
    for (const put of harness.puts) {
      expect(put.headers['x-amz-checksum-sha256'], put.key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(put.headers['content-md5'], put.key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(put.headers['if-none-match'], put.key).toBe('*');
      expect(put.headers['x-amz-object-lock-mode'], put.key).toBeUndefined();
    }
  });
});

describe('stream poller with the archiver', () => {
  let table: TestTable;
  let harness: ArchiveHarness;
  beforeAll(async () => {
    [table, harness] = await Promise.all([createTestTable('archiver'), startArchiveHarness()]);
  });
  afterAll(async () => {
    await harness.close();
    table.client.destroy();
  });

  const ledger = () => new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(table.client), table.tableName);
  const pollerOptions = (invoke: Parameters<typeof startStreamPoller>[0]['invoke'], batchSize = 100) => ({
    dynamodb: table.client,
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    checkpointFile: join(harness.dataDir, 'checkpoints.json'),
    invoke,
    batchSize,
    pollIntervalMs: 50,
  });

  it('archives every audit event and entity change once, within 10 s', async () => {
    const poller = startStreamPoller(pollerOptions(createHandler({ writer: harness.store, batches: ledger(), log: quiet })));
    try {
      const written = await Promise.all(Array.from({ length: 20 }, () => writeRequestWithAudit(table.client, table.tableName)));
      const reads = await writeAuditEvents(table.client, table.tableName, 30);
      const started = Date.now();
      await poller.caughtUp(10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      const audit = (await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId']);
      const expected = [...written.map((w) => w.event.eventId), ...reads.map((e) => e.eventId)];
      expect(audit.sort()).toEqual(expected.sort());
      const changes = (await readArchive(harness.store, 'changes/')).map((c) => c.record);
      expect(changes.map((c) => c['entityId']).sort()).toEqual(written.map((w) => w.request.requestId).sort());
      expect(changes.every((c) => c['eventName'] === 'INSERT' && c['newImage'] && !c['oldImage'])).toBe(true);
    } finally {
      await poller.stop();
    }
  });

  it.each([1, 2, 4])('loses and doubles nothing when killed mid-batch after %i PUTs and restarted', async (putsBeforeKill) => {
    const before = new Set((await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'] as string));
    // Requests with their audit events spread each batch over two objects (audit/ and changes/).
    const written = await Promise.all(Array.from({ length: 40 }, () => writeRequestWithAudit(table.client, table.tableName)));
    let puts = 0;
    let killed!: () => void;
    const wasKilled = new Promise<void>((resolve) => (killed = resolve));
    const dying: ArchiveWriter = {
      async putObject(object) {
        if (puts >= putsBeforeKill) return new Promise(() => {}); // the process is gone: this PUT never completes
        puts++;
        const outcome = await harness.store.putObject(object);
        if (puts === putsBeforeKill) {
          victim.abort();
          killed();
        }
        return outcome;
      },
    };
    const victim = startStreamPoller(pollerOptions(createHandler({ writer: dying, batches: ledger(), log: quiet }), 7));
    await wasKilled;
    const successor = startStreamPoller(pollerOptions(createHandler({ writer: harness.store, batches: ledger(), log: quiet }), 7));
    try {
      await successor.caughtUp(45_000);
      const audit = (await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'] as string).filter((id) => !before.has(id));
      expect(audit).toHaveLength(written.length);
      expect(new Set(audit)).toEqual(new Set(written.map((w) => w.event.eventId)));
      const changed = (await readArchive(harness.store, 'changes/')).map((c) => c.record['entityId'] as string);
      for (const w of written) expect(changed.filter((id) => id === w.request.requestId)).toHaveLength(1);
    } finally {
      await successor.stop();
    }
  });

  it('gathers records like a batching window: full batches at once, the rest once the window closes', async () => {
    const windowMs = 1_500;
    const handler = createHandler({ writer: harness.store, log: quiet });
    const batches: Array<{ at: number; ids: string[] }> = [];
    const counting: Parameters<typeof startStreamPoller>[0]['invoke'] = async (event) => {
      batches.push({ at: Date.now(), ids: event.Records.map((r) => r.dynamodb!.NewImage!['eventId']!.S!) });
      return handler(event);
    };
    // A backlog of 60: two full batches of 25 straight away, then 10 handed over when the window closes.
    const backlog = await writeAuditEvents(table.client, table.tableName, 60);
    const started = Date.now();
    const poller = startStreamPoller({ ...pollerOptions(counting, 25), batchingWindowMs: windowMs });
    try {
      await poller.caughtUp(45_000);
      expect(batches.map((b) => b.ids.length)).toEqual([25, 25, 10]);
      expect(batches.flatMap((b) => b.ids).sort()).toEqual(backlog.map((e) => e.eventId).sort());
      expect(batches[1]!.at - started).toBeLessThan(windowMs);
      expect(batches[2]!.at - started).toBeGreaterThanOrEqual(windowMs);

      // A lone record waits out the window, no longer.
      const [lone] = await writeAuditEvents(table.client, table.tableName, 1);
      const written = Date.now();
      await poller.caughtUp(45_000);
      expect(batches).toHaveLength(4);
      expect(batches[3]!.ids).toEqual([lone!.eventId]);
      expect(batches[3]!.at - written).toBeGreaterThanOrEqual(windowMs);
      expect(batches[3]!.at - written).toBeLessThan(windowMs + 1_000);
      const archived = new Set((await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'] as string));
      for (const event of [...backlog, lone!]) expect(archived.has(event.eventId)).toBe(true);
    } finally {
      await poller.stop();
    }
  });
});

describe('archiver with batch ranges (retried batches)', () => {
  let table: TestTable;
  let harness: ArchiveHarness;
  let ledger: DynamoArchiveBatchLedger;
  /** PUTs under changes/ fail while this is set (a partial S3 outage). */
  let failChanges = false;
  let writer: ArchiveWriter;
  const errors: string[] = [];
  const log = { info: () => {}, error: (message: string) => void errors.push(message) };
  beforeAll(async () => {
    [table, harness] = await Promise.all([createTestTable('archiver-ranges'), startArchiveHarness()]);
    ledger = new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(table.client), table.tableName);
    writer = {
      putObject: async (object) => (failChanges && object.key.startsWith('changes/') ? Promise.reject(new Error('SlowDown')) : harness.store.putObject(object)),
    };
  });
  afterAll(async () => {
    await harness.close();
    table.client.destroy();
  });

  /** Odd records are audit events (audit/), even ones request changes (changes/). */
  const records = (count: number, day: string) =>
    Array.from({ length: count }, (_, i) =>
      i % 2 === 0
        ? streamRecord('INSERT', undefined, auditItem(auditEvent({ occurredAt: `${day}T10:00:00.000Z` }), 90))
        : streamRecord('INSERT', undefined, requestItem(request({ requestId: `r-${day}-${i + 1}` }), 1)),
    );
  const archivedIds = async () => [
    ...(await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'] as string),
    ...(await readArchive(harness.store, 'changes/')).map((c) => c.record['entityId'] as string),
  ];
  const idOf = (record: DynamoDBRecord) => record.dynamodb!.NewImage!['eventId']?.S ?? record.dynamodb!.NewImage!['requestId']!.S!;
  const seqOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

  it('rebuilds the first attempt\'s objects when a retried batch is longer, and reports the first record after its range', async () => {
    const r = records(9, '2026-11-25'); // r[0] .. r[8] are r1 .. r9
    const handler = createHandler({ writer, batches: ledger, log });

    failChanges = true;
    const first = await handler({ Records: r.slice(0, 5) });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: seqOf(r[0]!) }]);
    expect(await ledger.find(streamLabelOf(STREAM_ARN), seqOf(r[0]!))).toEqual({
      streamArn: STREAM_ARN,
      streamLabel: streamLabelOf(STREAM_ARN),
      firstSequenceNumber: seqOf(r[0]!),
      lastSequenceNumber: seqOf(r[4]!),
    });
    expect((await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'])).toEqual([0, 2, 4].map((i) => idOf(r[i]!)));
    expect(await readArchive(harness.store, 'changes/')).toEqual([]);

    // The retry starts at r1 and brings r6..r9 too: only r1..r5 are archived, in the first attempt's keys.
    failChanges = false;
    const auditKeys = (await readArchive(harness.store, 'audit/')).map((a) => a.key);
    const retried = await handler({ Records: r.slice(0, 9) });
    expect(retried.batchItemFailures).toEqual([{ itemIdentifier: seqOf(r[5]!) }]);
    expect(new Set((await readArchive(harness.store, 'audit/')).map((a) => a.key))).toEqual(new Set(auditKeys));
    const afterRetry = await archivedIds();
    expect(afterRetry.sort()).toEqual(r.slice(0, 5).map(idOf).sort());

    // The event source redelivers r6..r9 as a batch of its own.
    const rest = await handler({ Records: r.slice(5) });
    expect(rest.batchItemFailures).toEqual([]);
    const all = await archivedIds();
    expect(all.sort()).toEqual(r.map(idOf).sort());
    expect(new Set(all).size).toBe(all.length);
    expect(errors).toEqual(['archive write failed; the batch will be redelivered']);
  });

  it('records no range for a batch that writes nothing (its own SYSTEM# items)', async () => {
    const handler = createHandler({ writer, batches: ledger, log });
    const system = streamRecord('INSERT', undefined, { pk: 'SYSTEM#archive-batch', sk: 'x', lastSequenceNumber: '1' });
    expect((await handler({ Records: [system] })).batchItemFailures).toEqual([]);
    expect(await ledger.find(streamLabelOf(STREAM_ARN), seqOf(system))).toBeUndefined();
  });

  it('archives a retried batch that ends before its recorded range as it comes, and says so', async () => {
    errors.length = 0;
    const r = records(4, '2026-11-26');
    const handler = createHandler({ writer, batches: ledger, log });
    failChanges = true;
    expect((await handler({ Records: r })).batchItemFailures).toEqual([{ itemIdentifier: seqOf(r[0]!) }]);
    failChanges = false;
    // Lambda bisects a batch after a function error: the first half comes alone.
    expect((await handler({ Records: r.slice(0, 2) })).batchItemFailures).toEqual([]);
    expect(errors).toContain('retried batch ends before the range its first attempt recorded; its objects may repeat records');
  });

  it('reports the whole batch, writing nothing, when its range cannot be recorded', async () => {
    const puts: string[] = [];
    const handler = createHandler({
      writer: { putObject: async (object) => (puts.push(object.key), 'created') },
      batches: { find: async () => undefined, record: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) },
      log: quiet,
    });
    const r = records(2, '2026-11-27');
    expect((await handler({ Records: r })).batchItemFailures).toEqual([{ itemIdentifier: seqOf(r[0]!) }]);
    expect(puts).toEqual([]);
  });
});
