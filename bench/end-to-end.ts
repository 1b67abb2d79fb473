/**
 * End to end through `npm start`'s HTTP server (startLocalRuntime): latency p50/p99 and
 * throughput of create, fulfil, list and audit read at concurrency 1 and 200, over served
 * (2xx) calls only, with the shed (429) and failed calls counted beside them; beside raw
 * DynamoDB Local latency for the same writes (the create's transaction of a request item and
 * its audit item) at the same concurrency. Simulated users are distinct (tokens signed with
 * the runtime's key) and spread over 8 loopback addresses, as separate clients would be.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { auditItem, requestItem } from '../functions/adapters/dynamo-items.js';
import type { AuditEvent } from '../functions/schemas/audit.js';
import type { EvidenceRequest } from '../functions/schemas/requests.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';
import { startLocalRuntime } from '../local/runtime.js';
import { loadOrCreateSigningKey, TokenIssuer } from '../local/token-issuer.js';
import { LocalClient, loopbackAddress } from './http-client.js';
import { percentile, pool } from './stats.js';

export interface LoadFigures {
  readonly operation: string;
  readonly concurrency: number;
  /** Calls sent. */
  readonly count: number;
  /** Calls answered 2xx: the latency percentiles and the throughput are theirs alone. */
  readonly served: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Served calls per second of the run's wall time. */
  readonly perSecond: number;
  /** 429 with Retry-After: the runtime shedding load by design. */
  readonly shed: number;
  /** Every other answer, and transport failures. */
  readonly failed: number;
}

async function run(operation: string, concurrency: number, count: number, task: (i: number) => Promise<{ ms: number; status: number }>): Promise<LoadFigures> {
  const started = performance.now();
  const results = await pool(Array.from({ length: count }, (_, i) => i), concurrency, (i) =>
    task(i).catch(() => ({ ms: performance.now() - started, status: 0 })),
  );
  const wall = (performance.now() - started) / 1000;
  const served = results.filter((r) => r.status >= 200 && r.status < 300);
  const shed = results.filter((r) => r.status === 429).length;
  const ms = served.map((r) => r.ms);
  return {
    operation,
    concurrency,
    count,
    served: served.length,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
    perSecond: served.length / wall,
    shed,
    failed: results.length - served.length - shed,
  };
}

export async function measureEndToEnd(counts = { 1: 100, 200: 1000 }): Promise<LoadFigures[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const runtime = await startLocalRuntime({ port: 0, dataDir });
  const client = new LocalClient(runtime.url);
  const raw = new DynamoDBClient({ endpoint: runtime.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
  try {
    const issuer = new TokenIssuer({ key: await loadOrCreateSigningKey(join(dataDir, 'keys')), password: 'unused' });
    const users = async (group: 'buyer' | 'factory' | 'auditor', orgId: string | undefined, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => issuer.accessToken({ username: `bench-${group}-${i}`, group, ...(orgId && { orgId }) } as never, { expiresIn: 3600 })));
    const [buyers, factories, auditors] = await Promise.all([users('buyer', 'B001', 200), users('factory', 'F001', 200), users('auditor', undefined, 200)]);
    const ok = (status: number) => status >= 200 && status < 300;
    const body = { factoryId: 'F001', title: 'Annual compliance pack', items: [{ docType: 'audit-report' }, { docType: 'certificate' }] };
    const evidence = await client.call('POST', '/v1/evidence', { token: factories[0], body: { name: 'Audit 2026', docType: 'audit-report' } });
    const figures: LoadFigures[] = [];

    for (const [c, n] of Object.entries(counts).map(([c, n]) => [Number(c), n] as const)) {
      const created: { requestId: string; itemId: string }[] = [];
      figures.push(
        await run('create request', c, n, async (i) => {
          const a = await client.call('POST', '/v1/requests', { token: buyers[i % buyers.length], body, from: loopbackAddress(i) });
          if (ok(a.status)) created.push({ requestId: a.body.requestId, itemId: a.body.items[0].itemId });
          return { ms: a.ms, status: a.status };
        }),
      );
      figures.push(
        await run('fulfil item', c, Math.min(n, created.length), async (i) => {
          const r = created[i]!;
          const a = await client.call('POST', `/v1/requests/${r.requestId}/items/${r.itemId}/fulfill`, { token: factories[i % factories.length], body: { evidenceId: evidence.body.evidenceId }, from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        }),
      );
      figures.push(
        await run('list requests', c, n, async (i) => {
          const a = await client.call('GET', '/v1/requests?limit=20', { token: buyers[i % buyers.length], from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        }),
      );
      figures.push(
        await run('audit read', c, n, async (i) => {
          const a = await client.call('GET', '/v1/audit?limit=20', { token: auditors[i % auditors.length], from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        }),
      );
      // The floor: the same two-item transaction written straight to DynamoDB Local.
      figures.push(
        await run('raw DynamoDB create transaction', c, n, async () => {
          const now = new Date().toISOString();
          const request: EvidenceRequest = { requestId: `req_${randomUUID()}`, buyerOrgId: 'B001', factoryId: 'F001', title: body.title, status: 'OPEN', items: [{ itemId: `itm_${randomUUID()}`, docType: 'audit-report', status: 'PENDING' }, { itemId: `itm_${randomUUID()}`, docType: 'certificate', status: 'PENDING' }], createdAt: now, createdBy: 'bench', updatedAt: now };
          const event: AuditEvent = { eventId: `evt_${randomUUID()}`, occurredAt: now, action: 'request.create', outcome: 'SUCCESS', actor: { userId: 'bench', role: 'buyer', orgId: 'B001' }, resource: { type: 'request', id: request.requestId }, statusCode: 201, correlationId: randomUUID(), sourceIp: '127.0.0.2', userAgent: 'bench', changes: { factoryId: 'F001', itemCount: 2, status: 'OPEN' } };
          const started = performance.now();
          await raw.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                { Put: { TableName: runtime.tableName, Item: marshall(requestItem(request, 1), { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: runtime.tableName, Item: marshall(auditItem(event, 90), { removeUndefinedValues: true }), ConditionExpression: 'attribute_not_exists(pk)' } },
              ],
            }),
          );
          return { ms: performance.now() - started, status: 200 };
        }),
      );
    }
    return figures;
  } finally {
    client.close();
    raw.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
