/**
 * The audit heartbeat end to end on DynamoDB Local and the local S3 store: the export writes
 * this hour's heartbeat through the normal audit path, the stream carries it to the archiver,
 * and the archiver counts it (the metric the "no audit events" alarm reads), as in `npm start`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PowertoolsArchiveMetrics } from '../../functions/adapters/powertools-archive-metrics.js';
import { AUDIT_HEARTBEAT_METRIC, archivedHeartbeats, heartbeatEvent, HEARTBEAT_ACTION, writeHeartbeat } from '../../functions/archive/heartbeat.js';
import { createLocalExport } from '../../local/archive-runtime.js';
import { readArchive, startArchiveHarness, startTestArchiver, writeRequestWithAudit, type ArchiveHarness } from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

const quiet = { info: () => {}, error: () => {} };
let harness: ArchiveHarness;
let table: TestTable;
beforeAll(async () => {
  harness = await startArchiveHarness();
  table = await createTestTable('heartbeat');
});
afterAll(async () => harness?.close());

describe('audit heartbeat', () => {
  it('names the hour, so a retried or repeated export writes it once', async () => {
    const a = heartbeatEvent(new Date('2026-12-01T10:05:00.000Z'));
    const b = heartbeatEvent(new Date('2026-12-01T10:55:00.000Z'));
    const c = heartbeatEvent(new Date('2026-12-01T11:00:00.000Z'));
    expect(a.eventId).toBe(b.eventId);
    expect(c.eventId).not.toBe(a.eventId);
    expect(a).toMatchObject({ action: HEARTBEAT_ACTION, outcome: 'SUCCESS', resource: { type: 'system' } });
    const written: string[] = [];
    const log = {
      async list() {
        return { items: written.map((eventId) => ({ eventId })) };
      },
      async record(event: { eventId: string }) {
        if (written.includes(event.eventId)) {
          const { ConcurrentUpdateError } = await import('../../functions/core/errors.js');
          throw new ConcurrentUpdateError('exists');
        }
        written.push(event.eventId);
      },
    };
    expect(await writeHeartbeat(log as never, new Date('2026-12-01T10:05:00.000Z'))).toBe('written');
    expect(await writeHeartbeat(log as never, new Date('2026-12-01T10:45:00.000Z'))).toBe('exists');
  });

  it('is written by the export, archived through the stream and counted by the archiver', async () => {
    const counted: number[] = [];
    const poller = await startTestArchiver(table, harness, { archiver: { metrics: { heartbeatsArchived: (n) => counted.push(n) } } });
    try {
      await writeRequestWithAudit(table.client, table.tableName);
      const exportNow = createLocalExport({
        s3Endpoint: harness.s3.endpoint,
        dynamodb: table.client,
        tableName: table.tableName,
        dataDir: harness.dataDir,
        // Reconciliation leaves the last minute to the next export: the heartbeat is still on its way.
        settleMs: 60_000,
        log: quiet,
        heartbeat: { auditTtlDays: 90 },
      });
      await exportNow();
      await exportNow();
      await poller.caughtUp(20_000);
      const heartbeats = (await readArchive(harness.store, 'audit/')).filter((a) => a.record['action'] === HEARTBEAT_ACTION);
      expect(heartbeats).toHaveLength(1);
      // Every batch reports its count; exactly one heartbeat was archived in all.
      expect(counted.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      await poller.stop();
    }
  }, 60_000);

  it('counts only heartbeats before the record a batch asks to have redelivered', () => {
    const change = (seq: string, action: string) => ({
      eventName: 'INSERT' as const,
      sequenceNumber: seq,
      streamLabel: 's',
      changedAt: '2026-12-01T10:00:00.000Z',
      keys: { pk: `AUDIT#${seq}`, sk: 'AUDIT' },
      newImage: { action },
    });
    const changes = [change('100', HEARTBEAT_ACTION), change('200', 'request.read'), change('300', HEARTBEAT_ACTION)];
    expect(archivedHeartbeats(changes, undefined)).toBe(2);
    expect(archivedHeartbeats(changes, '300')).toBe(1);
    expect(archivedHeartbeats(changes, '100')).toBe(0);
  });

  it('publishes the count as an EMF line in the alarm\'s namespace, metric and dimension', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = new PowertoolsArchiveMetrics();
      metrics.heartbeatsArchived(0);
      metrics.heartbeatsArchived(2);
    } finally {
      spy.mockRestore();
    }
    const emf = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l['_aws']);
    expect(emf).toHaveLength(1);
    expect(emf[0]!['_aws'].CloudWatchMetrics[0]).toMatchObject({
      Namespace: AUDIT_HEARTBEAT_METRIC.namespace,
      Dimensions: [['service']],
      Metrics: [{ Name: AUDIT_HEARTBEAT_METRIC.name, Unit: 'Count' }],
    });
    expect(emf[0]).toMatchObject({ service: AUDIT_HEARTBEAT_METRIC.dimensions.service, [AUDIT_HEARTBEAT_METRIC.name]: 2 });
  });
});
