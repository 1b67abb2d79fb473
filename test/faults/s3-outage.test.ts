/**
 * The archive bucket fails while API calls keep coming (S3 PUTs fail at the SDK, as a 503
 * SlowDown would after the SDK's retries): once S3 is back, the archive holds every audit
 * event of the table exactly once. The archiver crash mid-batch is covered by the archive's
 * own test (test/integration/archive-archiver.test.ts, "loses and doubles nothing when killed").
 * The archiver records each batch's range in the table (SYSTEM#archive-batch), as in AWS.
 */
import { join } from 'node:path';
import { S3ServiceException } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoArchiveBatchLedger } from '../../functions/adapters/dynamo-archive-batches.js';
import { createDocumentClient } from '../../functions/adapters/dynamo-client.js';
import { createHandler } from '../../functions/jobs/archiver.js';
import { LOCAL_REGION } from '../../local/dynamodb-local.js';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, readArchive, startArchiveHarness, type ArchiveHarness } from '../support/archive-fixtures.js';

const quiet = { info: () => {}, error: () => {} };

let api: TestApi;
let harness: ArchiveHarness;
let poller: StreamPoller;
let documents: DynamoDBDocumentClient;
/** Which PUTs fail: none, every one, or only those under a prefix. */
let outage: { prefix: string } | undefined;
let failedPuts = 0;

beforeAll(async () => {
  [api, harness] = await Promise.all([startTestApi(), startArchiveHarness()]);
  harness.client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (context.commandName === 'PutObjectCommand' && outage && key.startsWith(outage.prefix)) {
        failedPuts += 1;
        throw new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Injected: please reduce your request rate', $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectS3Outage', priority: 'high' },
  );
  documents = createDocumentClient({ endpoint: api.table.endpoint, region: LOCAL_REGION });
  poller = startStreamPoller({
    dynamodb: api.table.client,
    dynamodbEndpoint: api.table.endpoint,
    tableName: api.table.tableName,
    checkpointFile: join(harness.dataDir, 'checkpoints.json'),
    invoke: createHandler({ writer: harness.store, batches: new DynamoArchiveBatchLedger(documents, api.table.tableName), log: quiet }),
    // Room for the whole tail in one batch: a retried batch then always grows by what arrived meanwhile.
    batchSize: 1000,
    pollIntervalMs: 50,
  });
});
afterAll(async () => {
  outage = undefined;
  await poller.stop();
  documents.destroy();
  await Promise.all([api.stop(), harness.close()]);
});

async function traffic(label: string, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const created = await api.call('POST', '/v1/requests', {
        as: i % 2 ? 'buyer1' : 'buyer2',
        body: { factoryId: 'F002', title: `${label} ${i}`, items: [{ docType: 'audit-report' }] },
      });
      expect(created.status).toBe(201);
      expect((await api.call('GET', `/v1/requests/${created.body.requestId}`, { as: 'factory2' })).status).toBe(200);
    }),
  );
}

async function expectArchiveEqualsTable(): Promise<void> {
  await poller.caughtUp(20_000);
  const table = (await api.auditEvents()).map((e) => e.eventId).sort();
  const archived = (await readArchive(harness.store, 'audit/')).map((a) => a.record['eventId'] as string).sort();
  expect(archived.length).toBe(table.length);
  expect(archived).toEqual(table);
}

describe('an S3 outage during archiving', () => {
  it('loses nothing: batches that failed are archived once S3 is back', async () => {
    outage = { prefix: '' };
    failedPuts = 0;
    await traffic('full outage', 20);
    await eventually(async () => failedPuts >= 2, 10_000, 'the archiver never tried to write during the outage');
    expect(await readArchive(harness.store, 'audit/')).toEqual([]);
    outage = undefined;
    await expectArchiveEqualsTable();
  });

  /**
   * When one PUT of a batch succeeds (audit/) and another fails (changes/), the batch is
   * retried from the checkpoint, longer by the events that arrived meanwhile. The archiver
   * recorded the first attempt's range before its first PUT, so the retry is cut back to it:
   * the same keys (412 for the audit object, created for the changes object), and the records
   * after the range are reported for redelivery as a batch of their own.
   */
  it('doubles nothing when only some PUTs of a batch fail while new events keep arriving', async () => {
    outage = { prefix: 'changes/' };
    failedPuts = 0;
    await traffic('partial outage', 10);
    await eventually(async () => failedPuts >= 2, 10_000, 'the archiver never tried to write during the outage');
    // The situation named: within the failing batches, the audit objects were stored.
    await eventually(async () => (await readArchive(harness.store, 'audit/')).length > 0, 10_000, 'no audit object was stored while changes/ failed');
    await traffic('more during the outage', 10);
    outage = undefined;
    await traffic('after the outage', 5);
    await expectArchiveEqualsTable();
    const changed = (await readArchive(harness.store, 'changes/')).map((c) => `${c.record['entityId']}|${c.record['sequenceNumber']}`);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
