/**
 * Re-drive: the archive's `changes/` PUTs fail (an injected S3 fault) until the stream
 * poller gives the batch up and writes the failure record (the whole invocation payload,
 * as Lambda's S3 on-failure destination does). The shard moves on; re-driving the record
 * once S3 is back archives what was missing: nothing lost, nothing doubled, and a second
 * re-drive adds nothing.
 */
import { join } from 'node:path';
import { CreateBucketCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoArchiveBatchLedger } from '../../functions/adapters/dynamo-archive-batches.js';
import { S3FailureRecords } from '../../functions/adapters/s3-failure-records.js';
import { FailureRecordError, parseFailureRecord } from '../../functions/archive/failure-record.js';
import { redriveBatch, RedriveError } from '../../functions/archive/redrive.js';
import { createHandler } from '../../functions/jobs/archiver.js';
import { LOCAL_FAILURE_BUCKET } from '../../local/s3-local.js';
import { startStreamPoller } from '../../local/stream-poller.js';
import { eventually, readArchive, startArchiveHarness, writeRequestWithAudit, type ArchiveHarness } from '../support/archive-fixtures.js';
import { createTestTable, type TestTable } from '../support/dynamodb.js';

const quiet = { info: () => {}, error: () => {} };
let harness: ArchiveHarness;
let table: TestTable;
let failures: S3FailureRecords;
let outage = false;

beforeAll(async () => {
  harness = await startArchiveHarness();
  table = await createTestTable('redrive');
  await harness.client.send(new CreateBucketCommand({ Bucket: LOCAL_FAILURE_BUCKET }));
  failures = new S3FailureRecords(harness.client, LOCAL_FAILURE_BUCKET);
  harness.client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (outage && context.commandName === 'PutObjectCommand' && key.startsWith('changes/')) {
        throw new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Injected: please reduce your request rate', $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectS3Fault', priority: 'high' },
  );
});
afterAll(async () => harness?.close());

const archiver = () =>
  createHandler({
    writer: harness.store,
    batches: new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(table.client), table.tableName),
    log: quiet,
    metrics: { heartbeatsArchived: () => {} },
  });

const archivedIds = async (prefix: 'audit/' | 'changes/', field: string) =>
  (await readArchive(harness.store, prefix)).map((a) => String(a.record[field]));

describe('archive re-drive', () => {
  it('gives a failing batch up to the failure bucket, moves on, and re-drives it without losing or doubling anything', async () => {
    outage = true;
    const poller = startStreamPoller({
      dynamodb: table.client,
      dynamodbEndpoint: table.endpoint,
      tableName: table.tableName,
      checkpointFile: join(harness.dataDir, 'checkpoints.json'),
      invoke: archiver(),
      batchSize: 1000,
      batchingWindowMs: 200,
      pollIntervalMs: 20,
      maxRetryAttempts: 2,
      onFailure: (record, key) => failures.put(key, record),
    });
    try {
      const failed = await Promise.all(Array.from({ length: 8 }, () => writeRequestWithAudit(table.client, table.tableName)));
      await eventually(async () => poller.stats.abandoned >= 1, 30_000, 'the poller never gave the batch up');
      outage = false;
      // The shard moved past the abandoned batch: later writes are archived as usual.
      const later = await Promise.all(Array.from({ length: 3 }, () => writeRequestWithAudit(table.client, table.tableName)));
      await poller.caughtUp(20_000);

      const keys = await failures.keys();
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^aws\/lambda\/local-archiver\/[^/]+\/\d{4}\/\d{2}\/\d{2}\//);
      const { record, event } = parseFailureRecord((await failures.get(keys[0]!))!);
      expect(record.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(record.requestContext.approximateInvokeCount).toBe(3);
      expect(record.DDBStreamBatchInfo.batchSize).toBe(event.Records.length);

      // Before the re-drive: the failed batch's entity changes are missing from the archive.
      const failedRequests = failed.map((f) => f.request.requestId);
      expect((await archivedIds('changes/', 'entityId')).filter((id) => failedRequests.includes(id))).toEqual([]);

      const result = await redriveBatch(event, archiver());
      expect(result.records).toBe(event.Records.length);
      const again = await redriveBatch(event, archiver());
      expect(again.records).toBe(event.Records.length);

      const all = [...failed, ...later];
      const audit = await archivedIds('audit/', 'eventId');
      expect(audit.sort()).toEqual(all.map((w) => w.event.eventId).sort());
      const changes = await archivedIds('changes/', 'entityId');
      expect(changes.sort()).toEqual(all.map((w) => w.request.requestId).sort());
    } finally {
      outage = false;
      await poller.stop();
    }
  }, 90_000);

  it('keeps the failure record when the archiver still refuses the batch', async () => {
    const event = { Records: [{ eventName: 'INSERT', dynamodb: { SequenceNumber: '1', Keys: {}, NewImage: {} } }] } as never;
    await expect(redriveBatch(event, async () => ({ batchItemFailures: [{ itemIdentifier: '1' }] }))).rejects.toBeInstanceOf(RedriveError);
  });

  it('refuses a failure record without the payload (an SQS or SNS destination keeps only the range)', () => {
    const withoutPayload = {
      requestContext: { requestId: 'r', functionArn: 'f', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 1 },
      version: '1.0',
      timestamp: '2026-12-01T00:00:00.000Z',
      DDBStreamBatchInfo: { shardId: 's', startSequenceNumber: '1', endSequenceNumber: '2', batchSize: 2, streamArn: 'a' },
    };
    expect(() => parseFailureRecord(JSON.stringify(withoutPayload))).toThrow(FailureRecordError);
  });
});
