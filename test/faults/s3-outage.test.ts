/**
 * The archive bucket fails while API calls keep coming (S3 PUTs fail at the SDK, as a 503
 * SlowDown would after the SDK's retries): once S3 is back, the archive holds every audit
 * event of the table exactly once. The archiver crash mid-batch is covered by the archive's
 * own test (test/integration/archive-archiver.test.ts, "loses and doubles nothing when killed").
 */
import { join } from 'node:path';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/handlers/archiver.js';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, readArchive, startArchiveHarness, type ArchiveHarness } from '../support/archive-fixtures.js';

const quiet = { info: () => {}, error: () => {} };

let api: TestApi;
let harness: ArchiveHarness;
let poller: StreamPoller;
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
  poller = startStreamPoller({
    dynamodb: api.table.client,
    dynamodbEndpoint: api.table.endpoint,
    tableName: api.table.tableName,
    checkpointFile: join(harness.dataDir, 'checkpoints.json'),
    invoke: createHandler({ writer: harness.store, log: quiet }),
    // Room for the whole tail in one batch: a retried batch then always grows by what arrived meanwhile.
    batchSize: 1000,
    pollIntervalMs: 50,
  });
});
afterAll(async () => {
  outage = undefined;
  await poller.stop();
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
   * KNOWN DEFECT (reported to the archive owner): when one PUT of a batch succeeds (audit/)
   * and another fails (changes/), the poller acknowledges nothing and re-reads from its
   * checkpoint; events that arrived meanwhile make the retried batch longer, so its audit
   * object gets another key (`<first>_<last>`) and the events of the first object are
   * archived twice; the export's reconciliation then reports them as duplicated. Lambda's
   * event source mapping retries the same way, so production shares it. Fix in the archive:
   * keep a failed batch's range as `pending` so it is rebuilt exactly, or key objects so a
   * longer batch cannot repeat a shorter one's records. Turn `it.fails` into `it` once fixed.
   */
  it.fails('doubles nothing when only some PUTs of a batch fail while new events keep arriving', async () => {
    outage = { prefix: 'changes/' };
    failedPuts = 0;
    await traffic('partial outage', 10);
    await eventually(async () => failedPuts >= 2, 10_000, 'the archiver never tried to write during the outage');
    await traffic('more during the outage', 10);
    outage = undefined;
    await traffic('after the outage', 5);
    await expectArchiveEqualsTable();
    const changed = (await readArchive(harness.store, 'changes/')).map((c) => `${c.record['entityId']}|${c.record['sequenceNumber']}`);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
