import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLUE_TABLES, glueTableParameters } from '../../functions/schemas/archive.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { startArchiveRuntime, type ArchiveRuntime } from '../../local/archive-runtime.js';
import { queryArchiveWithDuckDb } from '../../local/archive-query.js';
import { readArchive, writeAuditEvents, writeRequestWithAudit } from '../support/archive-fixtures.js';
import { runCli } from '../support/cli.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';
import { S3ArchiveStore, createArchiveS3Client } from '../../functions/adapters/s3-archive-store.js';

const quiet = { info: () => {}, error: () => {} };
const cli = runCli;

describe('audit:* commands and the archive runtime', () => {
  let table: TestTable;
  let dataDir: string;
  let runtime: ArchiveRuntime;
  let events: AuditEvent[];

  beforeAll(async () => {
    table = await createTestTable('archive-cli');
    dataDir = mkdtempSync(join(tmpdir(), 'archive-cli-'));
    runtime = await startArchiveRuntime({
      dynamodbEndpoint: table.endpoint,
      tableName: table.tableName,
      dataDir,
      exportIntervalMs: 0,
      pollIntervalMs: 50,
      log: quiet,
    });
    const written = await Promise.all(Array.from({ length: 5 }, () => writeRequestWithAudit(table.client, table.tableName)));
    events = [...written.map((w) => w.event), ...(await writeAuditEvents(table.client, table.tableName, 15))];
    await runtime.poller.caughtUp();
  });
  afterAll(async () => {
    await runtime.stop().catch(() => {});
    table.client.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('archive keys and fields match the Glue table definitions', async () => {
    const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: runtime.s3Endpoint }), runtime.bucket);
    for (const table of Object.values(GLUE_TABLES)) {
      const template = glueTableParameters('bucket', table)['storage.location.template']!.replace('s3://bucket/', '');
      const columns = new Set(table.columns.map((c) => c.name));
      const archived = await readArchive(store, table.prefix);
      expect(archived.length).toBeGreaterThan(0);
      for (const { key, record } of archived) {
        const dt = /dt=(\d{4}-\d{2}-\d{2})\//.exec(key)![1]!;
        expect(key.startsWith(template.replace('${dt}', dt))).toBe(true);
        expect(dt).toBe(String(record['occurredAt'] ?? record['changedAt']).slice(0, 10));
        for (const field of Object.keys(record)) expect(columns, `${table.name}.${field}`).toContain(field);
      }
    }
    expect(GLUE_TABLES.auditEvents.columns).toContainEqual({ name: 'actor', type: 'struct<userId:string,role:string,orgId:string,username:string>' });
    expect(GLUE_TABLES.auditEvents.columns).toContainEqual({ name: 'statusCode', type: 'int' });
    store['client'].destroy();
  });

  it('queries the archive with SQL: the rows equal the events written', async () => {
    const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: runtime.s3Endpoint }), runtime.bucket);
    const rows = await queryArchiveWithDuckDb(
      store,
      'SELECT eventId, occurredAt, action, outcome, actor, resource, statusCode, correlationId, dt FROM audit_events ORDER BY occurredAt DESC, eventId DESC',
    );
    const expected = [...events]
      .sort((a, b) => (a.occurredAt === b.occurredAt ? (a.eventId < b.eventId ? 1 : -1) : a.occurredAt < b.occurredAt ? 1 : -1))
      .map(({ eventId, occurredAt, action, outcome, actor, resource, statusCode, correlationId }) => ({
        eventId, occurredAt, action, outcome, actor, resource, statusCode, correlationId, dt: occurredAt.slice(0, 10),
      }));
    expect(rows).toEqual(expected);
    const changes = await queryArchiveWithDuckDb(store, "SELECT count(*)::INTEGER AS n FROM entity_changes WHERE entityType = 'request' AND eventName = 'INSERT'");
    expect(changes).toEqual([{ n: 5 }]);
    store['client'].destroy();
  });

  it('export, verify and query work while the runtime runs and after it stopped', async () => {
    const exported = await cli('audit-export', ['--data-dir', dataDir, '--settle-seconds', '0']);
    expect(exported.stderr).not.toMatch(/failed/);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/sealed \d+ objects into manifests\/0000000001_.*reconciliation MATCH/);

    const verified = await cli('audit-verify', ['--data-dir', dataDir]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^INTACT: 1 manifests/m);

    await runtime.stop();
    const counted = await cli('audit-query', ['--data-dir', dataDir, '--format', 'json', 'SELECT count(*)::INTEGER AS n FROM audit_events']);
    expect(counted.code).toBe(0);
    expect(JSON.parse(counted.stdout)).toEqual([{ n: events.length }]);

    const again = await cli('audit-verify', ['--data-dir', dataDir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^INTACT: 1 manifests/m);
    const quietExport = await cli('audit-export', ['--data-dir', dataDir, '--settle-seconds', '0']);
    expect(quietExport.stdout).toMatch(/sealed 0 objects into manifests\/0000000002_/);
  }, 90_000);
});
