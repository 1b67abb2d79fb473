/**
 * `npx tsx bin/archive-figures.ts [--batch-size 1000] [--window-ms 1000] [--poll-ms 200]`:
 * measures the local archive the way `npm start` runs it, with the same poller defaults
 * (DynamoDB Local stream -> poller -> archiver with its batch ledger -> local S3) and traffic
 * shaped like the API's: two calls in five change a request (the request item and its audit
 * event in one transaction, as create and fulfil do), three only leave their audit event
 * (reads), so the archiver writes `changes/` objects beside `audit/` ones.
 * `--batch-size 100 --window-ms 0` gives the figures of the poller before it had a batching
 * window. Figures: archive lag p50/p99 for paced calls, events and S3 PUTs (audit and
 * changes objects) under a burst of 1,000 calls, bytes per archived event, and the archiver's
 * invocations (records and duration each). Prints one JSON document.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { CreateTableCommand, DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoArchiveBatchLedger } from '../functions/adapters/dynamo-archive-batches.js';
import { auditItem, requestItem } from '../functions/adapters/dynamo-items.js';
import { createArchiveS3Client, S3ArchiveStore } from '../functions/adapters/s3-archive-store.js';
import type { ArchiveWriter } from '../functions/archive/ports.js';
import { createTableInput } from '../functions/config/table.js';
import { createHandler } from '../functions/jobs/archiver.js';
import type { AuditEvent } from '../functions/schemas/audit.js';
import type { EvidenceRequest } from '../functions/schemas/requests.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../local/dynamodb-local.js';
import { LOCAL_ARCHIVE_BUCKET, startLocalS3 } from '../local/s3-local.js';
import { startStreamPoller } from '../local/stream-poller.js';

// The SDK's Node 20 deprecation notice would clutter every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    'batch-size': { type: 'string', default: '1000' },
    'window-ms': { type: 'string', default: '1000' },
    'poll-ms': { type: 'string', default: '200' },
    paced: { type: 'string', default: '300' },
    burst: { type: 'string', default: '1000' },
  },
});

interface PutRecord {
  at: number;
  key: string;
  bytes: number;
  rawBytes: number;
  eventIds: string[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** One API call's writes: its audit event, and for two calls in five the request it created or changed. */
interface Call {
  readonly event: AuditEvent;
  readonly request?: EvidenceRequest;
}

function apiCall(i: number): Call {
  const now = new Date().toISOString();
  const writes = i % 5 < 2;
  const requestId = `req_${randomUUID()}`;
  const event: AuditEvent = {
    eventId: randomUUID(),
    occurredAt: now,
    action: writes ? 'request.create' : 'request.read',
    outcome: 'SUCCESS',
    actor: { userId: randomUUID(), role: 'buyer', orgId: 'B001' },
    resource: { type: 'request', id: requestId },
    statusCode: writes ? 201 : 200,
    correlationId: randomUUID(),
    sourceIp: '203.0.113.10',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) figures',
    ...(writes && { changes: { factoryId: 'F001', itemCount: 2, status: 'OPEN' } }),
  };
  if (!writes) return { event };
  const request: EvidenceRequest = {
    requestId,
    buyerOrgId: 'B001',
    factoryId: 'F001',
    title: 'Annual compliance pack',
    status: 'OPEN',
    items: [
      { itemId: `itm_${randomUUID()}`, docType: 'audit-report', status: 'PENDING' },
      { itemId: `itm_${randomUUID()}`, docType: 'certificate', status: 'PENDING' },
    ],
    createdAt: now,
    createdBy: event.actor.userId,
    updatedAt: now,
  };
  return { event, request };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'archive-figures-'));
  const dynamo = await startDynamoDbLocal();
  const s3 = await startLocalS3({ directory: join(dir, 's3'), buckets: [LOCAL_ARCHIVE_BUCKET] });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = 'figures';
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: s3.endpoint }), LOCAL_ARCHIVE_BUCKET);
  const puts: PutRecord[] = [];
  const recording: ArchiveWriter = {
    async putObject(object) {
      const outcome = await store.putObject(object);
      const raw = gunzipSync(object.body);
      const eventIds = object.key.startsWith('audit/')
        ? raw.toString('utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { eventId: string }).eventId)
        : [];
      puts.push({ at: Date.now(), key: object.key, bytes: object.body.length, rawBytes: raw.length, eventIds });
      return outcome;
    },
  };
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const archiver = createHandler({ writer: recording, batches: new DynamoArchiveBatchLedger(documents, tableName), log: { info: () => {}, error: console.error } });
  const invocations: { records: number; ms: number }[] = [];
  const poller = startStreamPoller({
    dynamodb: client,
    dynamodbEndpoint: dynamo.endpoint,
    tableName,
    checkpointFile: join(dir, 'checkpoints.json'),
    invoke: async (event) => {
      const started = performance.now();
      const response = await archiver(event);
      invocations.push({ records: event.Records.length, ms: performance.now() - started });
      return response;
    },
    batchSize: Number(values['batch-size']),
    batchingWindowMs: Number(values['window-ms']),
    pollIntervalMs: Number(values['poll-ms']),
  });
  const put = (item: Record<string, unknown>) => ({ Put: { TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(pk)' } });
  const write = async ({ event, request }: Call) => {
    await client.send(new TransactWriteItemsCommand({ TransactItems: [...(request ? [put(requestItem(request, 1))] : []), put(auditItem(event, 90))] }));
    return Date.now();
  };
  const waitFor = async (ids: Set<string>) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const seen = new Set(puts.flatMap((p) => p.eventIds.filter((id) => ids.has(id))));
      if (seen.size === ids.size) return;
      if (Date.now() > deadline) throw new Error(`only ${seen.size}/${ids.size} archived`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    // 1. Lag: events written one at a time, ~30 per second, like steady API traffic.
    const pacedCount = Number(values.paced);
    const acked = new Map<string, number>();
    for (let i = 0; i < pacedCount; i++) {
      const call = apiCall(i);
      acked.set(call.event.eventId, await write(call));
      await new Promise((r) => setTimeout(r, 33));
    }
    await waitFor(new Set(acked.keys()));
    const archivedAt = new Map<string, number>();
    for (const put of puts) for (const id of put.eventIds) if (!archivedAt.has(id)) archivedAt.set(id, put.at);
    const lags = [...acked].map(([id, at]) => archivedAt.get(id)! - at).sort((a, b) => a - b);
    const pacedPuts = puts.length;
    const pacedInvocations = invocations.length;

    // 2. Burst: 1,000 calls from 50 concurrent writers.
    const burstCount = Number(values.burst);
    const burst = Array.from({ length: burstCount }, (_, i) => apiCall(i));
    const started = Date.now();
    for (let i = 0; i < burst.length; i += 50) await Promise.all(burst.slice(i, i + 50).map(write));
    const writtenIn = Date.now() - started;
    const ids = new Set(burst.map((c) => c.event.eventId));
    await waitFor(ids);
    // The changes objects of the last batches may land just after their audit objects.
    await new Promise((r) => setTimeout(r, 2 * Number(values['window-ms']) + 500));
    const drainedIn = Date.now() - started;
    const burstPuts = puts.slice(pacedPuts);
    const burstAuditPuts = burstPuts.filter((p) => p.key.startsWith('audit/'));
    const burstBytes = burstAuditPuts.reduce((n, p) => n + p.bytes, 0);
    const burstRaw = burstAuditPuts.reduce((n, p) => n + p.rawBytes, 0);
    const pacedAll = puts.slice(0, pacedPuts).filter((p) => p.key.startsWith('audit/'));
    const burstInvocations = invocations.slice(pacedInvocations);
    const records = burstInvocations.reduce((n, i) => n + i.records, 0);
    const durations = invocations.map((i) => i.ms).sort((a, b) => a - b);

    console.log(
      JSON.stringify(
        {
          settings: { batchSize: Number(values['batch-size']), batchingWindowMs: Number(values['window-ms']), pollIntervalMs: Number(values['poll-ms']) },
          lag: {
            events: lags.length,
            p50Ms: percentile(lags, 50),
            p99Ms: percentile(lags, 99),
            maxMs: lags[lags.length - 1],
            eventsPerPut: +(pacedCount / pacedAll.length).toFixed(2),
            bytesPerEvent: +(pacedAll.reduce((n, p) => n + p.bytes, 0) / pacedCount).toFixed(1),
          },
          burst: {
            events: burstCount,
            streamRecords: records,
            writeMs: writtenIn,
            archivedWithinMs: drainedIn,
            puts: burstPuts.length,
            auditPuts: burstAuditPuts.length,
            changesPuts: burstPuts.length - burstAuditPuts.length,
            eventsPerPut: +(burstCount / burstPuts.length).toFixed(1),
            gzipBytesPerEvent: +(burstBytes / burstCount).toFixed(1),
            jsonBytesPerEvent: +(burstRaw / burstCount).toFixed(1),
          },
          archiver: {
            invocations: invocations.length,
            burstInvocations: burstInvocations.length,
            recordsPerInvocation: +(records / Math.max(1, burstInvocations.length)).toFixed(1),
            putsPerInvocation: +(burstPuts.length / Math.max(1, burstInvocations.length)).toFixed(2),
            msMean: +(durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length)).toFixed(1),
            msP50: +percentile(durations, 50).toFixed(1),
            msP99: +percentile(durations, 99).toFixed(1),
          },
        },
        null,
        2,
      ),
    );
  } finally {
    await poller.stop();
    documents.destroy();
    client.destroy();
    await s3.stop();
    await dynamo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
