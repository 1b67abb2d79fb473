/**
 * The operator commands against the archive side of `npm start` (startArchiveRuntime), in
 * order: `npm run backup:drill` passes on the live table and archive; `npm run
 * archive:redrive` replays failure records from the local `archiver-failures` bucket once,
 * skips them the next time, replays harmlessly with --force, fails on a broken record; and
 * the drill then fails, since the archive now holds events the table never had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditItem } from '../../functions/adapters/dynamo-items.js';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import { S3FailureRecords } from '../../functions/adapters/s3-failure-records.js';
import { buildFailureRecord, failureRecordKey } from '../../functions/archive/failure-record.js';
import { startArchiveRuntime, type ArchiveRuntime } from '../../local/archive-runtime.js';
import { LOCAL_FAILURE_BUCKET } from '../../local/s3-local.js';
import { auditEvent, readArchive, writeRequestWithAudit } from '../support/archive-fixtures.js';
import { runCli } from '../support/cli.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:000000000000:table/t/stream/2026-12-01T00:00:00.000';

const redrive = (args: string[]) => runCli('archive-redrive', args);

/** A batch of audit INSERTs as Lambda hands it over, the way the stream had it. */
function batch(firstSequence: number, count: number): { event: DynamoDBStreamEvent; eventIds: string[] } {
  const events = Array.from({ length: count }, () => auditEvent({ occurredAt: '2026-12-01T09:00:00.000Z' }));
  return {
    eventIds: events.map((e) => e.eventId),
    event: {
      Records: events.map((e, i) => {
        const item = auditItem(e, 90);
        return {
          eventID: String(firstSequence + i),
          eventName: 'INSERT',
          eventSource: 'aws:dynamodb',
          eventSourceARN: STREAM_ARN,
          dynamodb: {
            ApproximateCreationDateTime: 1_796_115_600,
            Keys: marshall({ pk: item['pk'], sk: item['sk'] }) as never,
            NewImage: marshall(item, { removeUndefinedValues: true }) as never,
            SequenceNumber: String(firstSequence + i),
            StreamViewType: 'NEW_AND_OLD_IMAGES',
          },
        };
      }),
    },
  };
}

describe('npm run archive:redrive and backup:drill (local)', () => {
  let table: TestTable;
  let dataDir: string;
  let runtime: ArchiveRuntime;
  let failures: S3FailureRecords;
  let store: S3ArchiveStore;

  beforeAll(async () => {
    table = await createTestTable('redrive-cli');
    dataDir = mkdtempSync(join(tmpdir(), 'redrive-cli-'));
    runtime = await startArchiveRuntime({ dynamodbEndpoint: table.endpoint, tableName: table.tableName, dataDir, exportIntervalMs: 0, pollIntervalMs: 50, log: { info: () => {}, error: () => {} } });
    const client = createArchiveS3Client({ endpoint: runtime.s3Endpoint });
    failures = new S3FailureRecords(client, LOCAL_FAILURE_BUCKET);
    store = new S3ArchiveStore(client, runtime.bucket);
  });
  afterAll(async () => {
    await runtime?.stop().catch(() => {});
    table?.client.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('npm run backup:drill restores the local table into a new one and prints PASS per check, exit code 0', async () => {
    await Promise.all(Array.from({ length: 4 }, () => writeRequestWithAudit(table.client, table.tableName)));
    await runtime.poller.caughtUp(20_000);
    const { code, stdout } = await runCli('backup-drill', ['--data-dir', dataDir]);
    expect(stdout).toMatch(/^backup drill PASSED: \d+\/\d+ checks$/m);
    expect(stdout).toMatch(/^ {2}PASS {2}archive audit events/m);
    expect(code).toBe(0);
  }, 60_000);

  it('prints its usage with --help', async () => {
    const { code, stdout } = await redrive(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--all');
    expect(stdout).toContain('--failure-bucket');
  });

  it('replays each failure record once, skips it next time, and --force doubles nothing', async () => {
    const first = batch(1_000, 3);
    const second = batch(2_000, 2);
    for (const { event } of [first, second]) {
      const at = new Date();
      const record = buildFailureRecord({ functionArn: 'arn:fn', shardId: 'shard-1', streamArn: STREAM_ARN, event, invokeCount: 11, condition: 'RetryAttemptsExhausted', at });
      await failures.put(failureRecordKey('local-archiver', 'shard-1', at), record);
    }
    const expected = [...first.eventIds, ...second.eventIds].sort();
    const replayed = new Set(expected);
    const archivedIds = async () => (await readArchive(store, 'audit/')).map((a) => String(a.record['eventId'])).filter((id) => replayed.has(id)).sort();

    const dry = await redrive(['--all', '--dry-run', '--data-dir', dataDir]);
    expect(dry.code).toBe(0);
    expect(dry.stdout.match(/^WOULD/gm)).toHaveLength(2);
    expect(await archivedIds()).toEqual([]);

    const once = await redrive(['--all', '--data-dir', dataDir]);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain('2 re-driven, 0 failed');
    expect(await archivedIds()).toEqual(expected);

    expect((await redrive(['--all', '--data-dir', dataDir])).stdout).toContain('0 re-driven, 0 failed, 2 failure record(s)');
    expect((await redrive(['--all', '--force', '--data-dir', dataDir])).stdout).toContain('2 re-driven');
    expect(await archivedIds()).toEqual(expected);
  }, 120_000);

  it('fails with exit code 1 on a record without its payload, and keeps it', async () => {
    const key = failureRecordKey('local-archiver', 'shard-2', new Date());
    const record = buildFailureRecord({ functionArn: 'arn:fn', shardId: 'shard-2', streamArn: STREAM_ARN, event: batch(3_000, 1).event, invokeCount: 11, condition: 'RecordAgeExceeded', at: new Date() });
    await failures.put(key, { ...record, payload: JSON.stringify({ Records: [] }) });
    const result = await redrive(['--key', key, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED .*no payload records/m);
    expect(await failures.isRedriven(key)).toBe(false);
  }, 60_000);

  it('npm run backup:drill fails (exit 1) once the archive holds audit events the table never had', async () => {
    const { code, stdout } = await runCli('backup-drill', ['--data-dir', dataDir]);
    expect(stdout).toMatch(/^ {2}FAIL {2}archive audit events/m);
    expect(stdout).toMatch(/^backup drill FAILED/m);
    expect(code).toBe(1);
  }, 60_000);
});
