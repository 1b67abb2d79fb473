/**
 * End to end through `npm start`'s HTTP server (startLocalRuntime): latency p50/p99 and
 * throughput of create, fulfil, list and audit read at concurrency 1 and 200, over served
 * (2xx) calls, with every other answer counted by kind (429, 5xx, other non-2xx, no answer).
 * Beside each, its floor: the same DynamoDB calls straight to DynamoDB Local at the same
 * concurrency (see `measureEndToEnd`). Simulated users are distinct (tokens signed with the
 * runtime's key) and spread over 8 loopback addresses, as separate clients would be.
 */
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../functions/adapters/dynamo-audit-log.js';
import { DynamoRequestRepository } from '../functions/adapters/dynamo-request-repository.js';
import { SDK_POLICY } from '../functions/adapters/sdk-policy.js';
import { AuditTrail, type CallContext } from '../functions/core/audit-trail.js';
import { newItemId, newRequestId } from '../functions/core/ids.js';
import type { Principal } from '../functions/core/principal.js';
import { fulfil } from '../functions/core/request-state.js';
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
  /** Answered 429: shed rather than served. */
  readonly shed: number;
  /** Answered 5xx (502 handler failure, 503, 504 integration timeout). */
  readonly serverErrors: number;
  /** No answer at all: connection refused or reset, or the client's timeout. */
  readonly transportFailures: number;
  /** Any other answer that is not 2xx (a 4xx the bench did not expect). */
  readonly otherFailures: number;
  /** The first transport failure's error, to say what dropped. */
  readonly firstTransportError?: string;
  /** On a raw DynamoDB Local run: the end-to-end operation it is the floor of. */
  readonly baselineOf?: string;
  /** On a raw DynamoDB Local run: the DynamoDB calls one task made, counted as it ran (`Query(gsi1) + PutItem`). */
  readonly calls?: string;
  readonly callsPerTask?: number;
  /**
   * On an end-to-end run: the DynamoDB requests the whole runtime sent while it ran, per call
   * sent (the functions', retries and the stream consumers' included), total and by operation.
   */
  readonly runtimeCallsPerCall?: number;
  readonly runtimeCalls?: string;
}

type Outcome = { ms: number; status: number };

/** An error and its causes on one line (the adapters wrap the SDK's). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) parts.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return parts.join(' <- ').slice(0, 300);
}

async function run(operation: string, concurrency: number, count: number, task: (i: number) => Promise<Outcome>): Promise<LoadFigures> {
  const started = performance.now();
  let firstTransportError: string | undefined;
  const results = await pool(Array.from({ length: count }, (_, i) => i), concurrency, (i) =>
    task(i).catch((error: unknown): Outcome => {
      firstTransportError ??= describe(error);
      return { ms: performance.now() - started, status: 0 };
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const served = results.filter((r) => r.status >= 200 && r.status < 300);
  const shed = results.filter((r) => r.status === 429).length;
  const serverErrors = results.filter((r) => r.status >= 500).length;
  const transportFailures = results.filter((r) => r.status === 0).length;
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
    serverErrors,
    transportFailures,
    otherFailures: results.length - served.length - shed - serverErrors - transportFailures,
    ...(firstTransportError !== undefined && { firstTransportError }),
  };
}

/**
 * Counts the DynamoDB calls sent through `client` (by command, with the index a query reads),
 * so each raw run prints what it actually sent, whatever the table layout of the day.
 */
function callCounter(client: DynamoDBClient) {
  let counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string; TransactItems?: unknown[] };
      const name = String(context.commandName).replace(/Command$/, '');
      const key = `${name}${input.IndexName ? `(${input.IndexName})` : ''}${input.TransactItems ? `[${input.TransactItems.length}]` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return {
    /** Runs `measure`, then describes the calls per task it made, e.g. `Query(gsi3) x8 + PutItem`. */
    async around(tasks: number, measure: () => Promise<LoadFigures>): Promise<LoadFigures> {
      counts = new Map();
      const figures = await measure();
      const calls = [...counts].map(([key, n]) => (n === tasks ? key : `${key} x${+(n / tasks).toFixed(2)}`)).join(' + ');
      const callsPerTask = +([...counts.values()].reduce((a, b) => a + b, 0) / Math.max(1, tasks)).toFixed(2);
      return { ...figures, calls, callsPerTask };
    },
  };
}

/**
 * Every request this process sends to DynamoDB Local at `endpoint`, by operation (its
 * X-Amz-Target), seen on Node's HTTP client channel: the runtime's functions and its stream
 * consumers run in this process, on clients the bench cannot reach otherwise.
 */
function wireCounter(endpoint: string) {
  const host = new URL(endpoint).host;
  let counts = new Map<string, number>();
  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (request.getHeader('host') !== host) return;
    const target = String(request.getHeader('x-amz-target') ?? 'other').replace(/^\w+_\d+\./, '');
    counts.set(target, (counts.get(target) ?? 0) + 1);
  };
  subscribe('http.client.request.start', onStart);
  return {
    /** Runs `measure` and adds the requests sent meanwhile, per call it sent. */
    async around(measure: () => Promise<LoadFigures>): Promise<LoadFigures> {
      counts = new Map();
      const figures = await measure();
      const perCall = (n: number) => +(n / Math.max(1, figures.count)).toFixed(2);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const runtimeCalls = [...counts].sort((a, b) => b[1] - a[1]).map(([target, n]) => `${target} ${perCall(n)}`).join(', ');
      return { ...figures, runtimeCallsPerCall: perCall(total), runtimeCalls };
    },
    stop: () => unsubscribe('http.client.request.start', onStart),
  };
}

/** One audited call's trail, as the audit middleware opens it: the event it records is the call's. */
function trailOf(principal: Principal, call: Pick<CallContext, 'action' | 'resourceId' | 'successStatus'>, i: number): AuditTrail {
  return new AuditTrail({ resourceType: call.action.startsWith('audit') ? 'audit' : 'request', correlationId: randomUUID(), sourceIp: loopbackAddress(i), userAgent: 'bench', ...call }, principal);
}

/**
 * The end-to-end figures of each operation at each concurrency, then its floor: the DynamoDB
 * calls the operation's adapters make for it, sent by those same adapters (so they follow the
 * table layout of functions/config/table.ts and the item builders of dynamo-items.ts) straight
 * to the runtime's DynamoDB Local from a client with as many sockets as callers, no HTTP, no
 * handler, no token:
 * - create: the TransactWriteItems of the request Put and its audit Put;
 * - fulfil: the TransactWriteItems of the request Put (revision condition), the audit Put and
 *   the share Update (the reads before it, of the request and the evidence, are not in it);
 * - list: the buyer's list query (and whatever it reads besides), then the audit Put the read records;
 * - audit read: the auditor's unfiltered audit list (every shard), then its audit Put.
 */
export async function measureEndToEnd(counts = { 1: 100, 200: 1000 }): Promise<LoadFigures[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const runtime = await startLocalRuntime({ port: 0, dataDir });
  const client = new LocalClient(runtime.url);
  const callers = Math.max(...Object.keys(counts).map(Number));
  const raw = new DynamoDBClient({
    endpoint: runtime.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: SDK_POLICY.maxAttempts,
    // As many sockets as callers (the SDK's default of 50 would queue 150 of 200 inside the
    // client), and patient timeouts: the functions' 1 s to connect and 5 s per request turn 200
    // callers opening connections at once into failures, and the floor is DynamoDB Local's time.
    requestHandler: { connectionTimeout: 30_000, requestTimeout: 60_000, httpAgent: { keepAlive: true, maxSockets: callers } },
  });
  const counter = callCounter(raw);
  const wire = wireCounter(runtime.dynamodbEndpoint);
  const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const settings = { tableName: runtime.tableName, auditTtlDays: 90 };
  const requests = new DynamoRequestRepository(documents, settings);
  const auditLog = new DynamoAuditLog(documents, settings);
  try {
    const issuer = new TokenIssuer({ key: await loadOrCreateSigningKey(join(dataDir, 'keys')), password: 'unused' });
    const users = async (group: 'buyer' | 'factory' | 'auditor', orgId: string | undefined, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => issuer.accessToken({ username: `bench-${group}-${i}`, group, ...(orgId && { orgId }) } as never, { expiresIn: 3600 })));
    const [buyers, factories, auditors] = await Promise.all([users('buyer', 'B001', 200), users('factory', 'F001', 200), users('auditor', undefined, 200)]);
    const ok = (status: number) => status >= 200 && status < 300;
    const body = { factoryId: 'F001', title: 'Annual compliance pack', items: [{ docType: 'audit-report' }, { docType: 'certificate' }] };
    const evidence = await client.call('POST', '/v1/evidence', { token: factories[0], body: { name: 'Audit 2026', docType: 'audit-report' } });
    const evidenceId: string = evidence.body.evidenceId;
    const principal = (role: 'buyer' | 'factory' | 'auditor', orgId: string | undefined, i: number): Principal => ({ userId: `bench-raw-${role}-${i}`, username: `bench-raw-${role}-${i}`, role, ...(orgId && { orgId }) });
    const figures: LoadFigures[] = [];

    for (const [c, n] of Object.entries(counts).map(([c, n]) => [Number(c), n] as const)) {
      const created: { requestId: string; itemId: string }[] = [];
      figures.push(
        await wire.around(() => run('create request', c, n, async (i) => {
          const a = await client.call('POST', '/v1/requests', { token: buyers[i % buyers.length], body, from: loopbackAddress(i) });
          if (ok(a.status)) created.push({ requestId: a.body.requestId, itemId: a.body.items[0].itemId });
          return { ms: a.ms, status: a.status };
        })),
      );
      figures.push(
        await wire.around(() => run('fulfil item', c, Math.min(n, created.length), async (i) => {
          const r = created[i]!;
          const a = await client.call('POST', `/v1/requests/${r.requestId}/items/${r.itemId}/fulfill`, { token: factories[i % factories.length], body: { evidenceId }, from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        })),
      );
      figures.push(
        await wire.around(() => run('list requests', c, n, async (i) => {
          const a = await client.call('GET', '/v1/requests?limit=20', { token: buyers[i % buyers.length], from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        })),
      );
      figures.push(
        await wire.around(() => run('audit read', c, n, async (i) => {
          const a = await client.call('GET', '/v1/audit?limit=20', { token: auditors[i % auditors.length], from: loopbackAddress(i) });
          return { ms: a.ms, status: a.status };
        })),
      );

      // The floors, in the same order, at the same concurrency.
      const rawCreated: EvidenceRequest[] = [];
      const floor = (operation: string, count: number, task: (i: number) => Promise<void>) =>
        counter.around(count, async () => ({
          ...(await run(`raw DynamoDB Local: ${operation}`, c, count, async (i) => {
            const started = performance.now();
            await task(i);
            return { ms: performance.now() - started, status: 200 };
          })),
          baselineOf: operation,
        }));
      figures.push(
        await floor('create request', n, async (i) => {
          const now = new Date();
          const at = now.toISOString();
          const buyer = principal('buyer', 'B001', i % callers);
          const request: EvidenceRequest = {
            requestId: newRequestId(now.getTime()),
            buyerOrgId: 'B001',
            factoryId: body.factoryId,
            title: body.title,
            status: 'OPEN',
            items: body.items.map((item) => ({ itemId: newItemId(now.getTime()), docType: item.docType, status: 'PENDING' as const })),
            createdAt: at,
            createdBy: buyer.userId,
            updatedAt: at,
          };
          const trail = trailOf(buyer, { action: 'request.create', resourceId: request.requestId, successStatus: 201 }, i);
          await trail.commit({ factoryId: request.factoryId, itemCount: request.items.length, status: 'OPEN' }, (event) => requests.create(request, event));
          rawCreated.push(request);
        }),
      );
      figures.push(
        await floor('fulfil item', rawCreated.length, async (i) => {
          const request = rawCreated[i]!;
          const at = new Date().toISOString();
          const { request: next, changes } = fulfil(request, request.items[0]!, { evidenceId, evidenceVersion: 1, now: at });
          const trail = trailOf(principal('factory', 'F001', i % callers), { action: 'request.item.fulfill', resourceId: request.requestId, successStatus: 200 }, i);
          await trail.commit(changes, (event) => requests.update(next, 1, event, { evidenceId, buyerOrgId: request.buyerOrgId, version: 1, sharedAt: at }));
        }),
      );
      figures.push(
        await floor('list requests', n, async (i) => {
          await requests.list({ by: 'buyer', orgId: 'B001' }, {}, { limit: 20 });
          await trailOf(principal('buyer', 'B001', i % callers), { action: 'request.list', successStatus: 200 }, i).record({ outcome: 'SUCCESS', statusCode: 200 }, (event) => auditLog.record(event));
        }),
      );
      figures.push(
        await floor('audit read', n, async (i) => {
          await auditLog.list({}, { limit: 20 });
          await trailOf(principal('auditor', undefined, i % callers), { action: 'audit.read', successStatus: 200 }, i).record({ outcome: 'SUCCESS', statusCode: 200 }, (event) => auditLog.record(event));
        }),
      );
    }
    return figures;
  } finally {
    wire.stop();
    client.close();
    raw.destroy();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
