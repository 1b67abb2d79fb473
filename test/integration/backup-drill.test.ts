/**
 * The restore drill on DynamoDB Local and the local S3 store: entities and audit events
 * written as the API writes them, archived by the real archiver through the stream poller,
 * then exported, imported into a fresh table and compared. It must pass on a faithful copy
 * and fail when the copy or the archive lose or change anything.
 */
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../functions/backup/compare.js';
import type { ArchiveReader } from '../../functions/archive/ports.js';
import { runLocalDrill } from '../../local/backup-drill.js';
import { startArchiveHarness, startTestArchiver, writeAuditEvents, writeRequestWithAudit, type ArchiveHarness } from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

let harness: ArchiveHarness;
let table: TestTable;

beforeAll(async () => {
  harness = await startArchiveHarness();
  table = await createTestTable('drill');
  const poller = await startTestArchiver(table, harness, { poller: { batchSize: 100, pollIntervalMs: 50 } });
  try {
    for (let i = 0; i < 12; i++) await writeRequestWithAudit(table.client, table.tableName);
    await writeAuditEvents(table.client, table.tableName, 25);
    await poller.caughtUp(20_000);
  } finally {
    await poller.stop();
  }
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

const drill = (archive: ArchiveReader = harness.store) =>
  runLocalDrill({ client: table.client, tableName: table.tableName, archive, backupDir: join(harness.dataDir, 'backups') });

describe('backup drill (local)', () => {
  it('restores the export into a new table and matches the source per entity type and the archive', async () => {
    const { report, restoredTable } = await drill();
    console.log(formatReport(report));
    expect(restoredTable).toMatch(new RegExp(`^${table.tableName}-drill-`));
    expect(report.pass).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['table request']?.actual.count).toBe(12);
    expect(byName['table audit']?.actual.count).toBe(37);
    expect(byName['archive audit events']?.expected.count).toBe(37);
  }, 60_000);

  it('fails when the archive lacks an audit event the table holds', async () => {
    const stray = { eventId: 'not-archived', occurredAt: new Date().toISOString(), action: 'request.read', outcome: 'SUCCESS', actor: { userId: 'u', role: 'buyer' }, resource: { type: 'request', id: 'r' }, statusCode: 200, correlationId: 'c' };
    // Written straight into the table while nothing archives it: the archive now misses it.
    await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: marshall({ pk: 'AUDIT#not-archived', sk: 'AUDIT', entity: 'audit', ...stray }) }));
    try {
      const { report } = await drill();
      expect(report.pass).toBe(false);
      expect(report.checks.find((c) => c.name === 'archive audit events')).toMatchObject({ pass: false, expected: { count: 37 }, actual: { count: 38 } });
      expect(report.checks.filter((c) => c.name.startsWith('table ')).every((c) => c.pass)).toBe(true);
    } finally {
      await table.client.send(new DeleteItemCommand({ TableName: table.tableName, Key: marshall({ pk: 'AUDIT#not-archived', sk: 'AUDIT' }) }));
    }
  }, 60_000);

  it('fails when an archived object reads back changed', async () => {
    const tampered: ArchiveReader = {
      list: (prefix) => harness.store.list(prefix),
      get: async (key) => {
        const body = await harness.store.get(key);
        if (!body) return body;
        const { gunzipSync, gzipSync } = await import('node:zlib');
        return gzipSync(gunzipSync(body).toString('utf8').replace('"statusCode":200', '"statusCode":204'));
      },
    };
    const { report } = await drill(tampered);
    expect(report.pass).toBe(false);
    const check = report.checks.find((c) => c.name === 'archive audit events')!;
    expect(check.expected.count).toBe(check.actual.count);
    expect(check.expected.sha256).not.toBe(check.actual.sha256);
  }, 60_000);
});
