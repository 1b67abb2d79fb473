/** Test data and harness for the audit archive: items shaped like the API's, a local S3 store per file. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { auditItem, requestItem } from '../../functions/adapters/dynamo-items.js';
import { createArchiveS3Client, S3ArchiveStore } from '../../functions/adapters/s3-archive-store.js';
import { decodeLines } from '../../functions/archive/export-manifest.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import type { EvidenceRequest } from '../../functions/schemas/requests.js';
import type { ArchiverDeps } from '../../functions/jobs/archiver.js';
import { LOCAL_ARCHIVE_BUCKET, localArchivePaths, startLocalS3, type LocalS3 } from '../../local/s3-local.js';
import type { StreamPollerOptions } from '../../local/stream-poller.js';

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    action: 'request.create',
    outcome: 'SUCCESS',
    actor: { userId: 'buyer1', role: 'buyer', orgId: 'B001' },
    resource: { type: 'request', id: randomUUID() },
    statusCode: 201,
    correlationId: randomUUID(),
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    ...overrides,
  };
}

export function request(overrides: Partial<EvidenceRequest> = {}): EvidenceRequest {
  const now = new Date().toISOString();
  return {
    requestId: randomUUID(),
    buyerOrgId: 'B001',
    factoryId: 'F001',
    title: 'Audit report 2026',
    status: 'OPEN',
    items: [{ itemId: 'i1', docType: 'audit-report', status: 'PENDING' }],
    createdAt: now,
    createdBy: 'buyer1',
    updatedAt: now,
    ...overrides,
  };
}

/** A request and its audit event in one transaction, as the API writes them. */
export async function writeRequestWithAudit(client: DynamoDBClient, tableName: string): Promise<{ request: EvidenceRequest; event: AuditEvent }> {
  const req = request();
  const event = auditEvent({ resource: { type: 'request', id: req.requestId } });
  await client.send(
    new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: tableName, Item: marshall(requestItem(req, 1), { removeUndefinedValues: true }) } },
        { Put: { TableName: tableName, Item: marshall(auditItem(event, 90), { removeUndefinedValues: true }) } },
      ],
    }),
  );
  return { request: req, event };
}

/** Audit events only (reads, refusals), written concurrently in groups. */
export async function writeAuditEvents(client: DynamoDBClient, tableName: string, count: number, concurrency = 20): Promise<AuditEvent[]> {
  const events = Array.from({ length: count }, () => auditEvent({ action: 'request.read', statusCode: 200 }));
  for (let i = 0; i < events.length; i += concurrency) {
    await Promise.all(
      events.slice(i, i + concurrency).map((event) =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [{ Put: { TableName: tableName, Item: marshall(auditItem(event, 90), { removeUndefinedValues: true }) } }],
          }),
        ),
      ),
    );
  }
  return events;
}

export interface ArchiveHarness {
  readonly dataDir: string;
  readonly s3: LocalS3;
  readonly client: S3Client;
  readonly store: S3ArchiveStore;
  /** Headers of every PutObject request as sent on the wire. */
  readonly puts: Array<{ key: string; headers: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startArchiveHarness(): Promise<ArchiveHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'archive-test-'));
  const s3 = await startLocalS3({ directory: localArchivePaths(dataDir).s3Directory, buckets: [LOCAL_ARCHIVE_BUCKET] });
  const client = createArchiveS3Client({ endpoint: s3.endpoint });
  const puts: ArchiveHarness['puts'] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { method?: string; path?: string; headers?: Record<string, string> };
      if (context.commandName === 'PutObjectCommand' && request.headers) {
        puts.push({ key: decodeURIComponent(request.path ?? ''), headers: { ...request.headers } });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'capturePutHeaders', priority: 'low' },
  );
  return {
    dataDir,
    s3,
    client,
    store: new S3ArchiveStore(client, LOCAL_ARCHIVE_BUCKET),
    puts,
    async close() {
      client.destroy();
      await s3.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every record under a prefix, with the key of the object holding it. */
export async function readArchive(store: S3ArchiveStore, prefix: string): Promise<Array<{ key: string; record: Record<string, unknown> }>> {
  const out: Array<{ key: string; record: Record<string, unknown> }> = [];
  for await (const listed of store.list(prefix)) {
    const body = await store.get(listed.key);
    for (const record of decodeLines(body!)) out.push({ key: listed.key, record: record as Record<string, unknown> });
  }
  return out;
}

/** Polls `probe` until it returns true or the deadline passes. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000, message = 'condition not met in time'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The stream poller feeding the real archiver (batch ranges in the table, as in AWS) for one
 * test table and archive harness; `archiver` and `poller` override their options.
 */
export async function startTestArchiver(
  table: { client: DynamoDBClient; endpoint: string; tableName: string },
  harness: ArchiveHarness,
  overrides: { archiver?: Partial<ArchiverDeps>; poller?: Partial<StreamPollerOptions> } = {},
) {
  const { DynamoDBDocumentClient } = await import('@aws-sdk/lib-dynamodb');
  const { DynamoArchiveBatchLedger } = await import('../../functions/adapters/dynamo-archive-batches.js');
  const { createHandler } = await import('../../functions/jobs/archiver.js');
  const { startStreamPoller } = await import('../../local/stream-poller.js');
  const archiver = createHandler({
    writer: harness.store,
    batches: new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(table.client), table.tableName),
    log: { info: () => {}, error: () => {} },
    metrics: { heartbeatsArchived: () => {} },
    ...overrides.archiver,
  });
  return startStreamPoller({
    dynamodb: table.client,
    dynamodbEndpoint: table.endpoint,
    tableName: table.tableName,
    checkpointFile: join(harness.dataDir, 'checkpoints.json'),
    invoke: archiver,
    batchingWindowMs: 0,
    pollIntervalMs: 20,
    ...overrides.poller,
  });
}
