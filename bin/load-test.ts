/**
 * `npm run test:load`: 200 simulated buyers (distinct users over 8 client addresses) each
 * create 10 requests while 20 factory users fulfil them, through `npm start`'s HTTP server
 * with its rate limits and archive runtime. The scenario stays below the documented limits
 * (API.md: per user 50/s with bursts of 200, per address 500/s with bursts of 2,000; checked
 * on the calls as sent), so every call must be served: a 429, a 5xx, any other non-2xx or a
 * dropped connection is a violation (a dropped POST is still retried once under its
 * Idempotency-Key, so the rest can be checked). Then table and archive are reconciled: every
 * audit event of the table archived exactly once. Prints figures as JSON; exits 1 on a violation.
 */
import '../bench/env.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createArchiveS3Client, S3ArchiveStore } from '../functions/adapters/s3-archive-store.js';
import { decodeLines } from '../functions/archive/export-manifest.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.js';
import { startLocalRuntime } from '../local/runtime.js';
import { LOCAL_ARCHIVE_BUCKET } from '../local/s3-local.js';
import { loadOrCreateSigningKey, TokenIssuer } from '../local/token-issuer.js';
import { LocalClient, loopbackAddress, type HttpAnswer } from '../bench/http-client.js';
import { percentile, pool } from '../bench/stats.js';
import { ApiRateLimiter } from '../local/rate-limiter.js';
import { apiGatewayThrottle, STAGE_DEFAULTS, wafRateLimit, WAF_EVALUATION_WINDOW_SECONDS, type RateLimit } from '../lib/stages.js';

const BUYERS = 200;
const REQUESTS_EACH = 10;
const FACTORIES = 20;
/** A POST whose connection dropped is sent again this often under its Idempotency-Key (each drop is still a violation). */
const MAX_TRANSPORT_RETRIES = 3;
/** The limits the local runtime applies, as WAF does in AWS: the dev stage's (lib/stages.ts). */
const LIMITS = STAGE_DEFAULTS.dev.rateLimits;

const serverErrorCount = (statuses: ReadonlyMap<number, number>) => [...statuses].filter(([status]) => status >= 500).reduce((n, [, count]) => n + count, 0);

/** One call as sent: when, by whom, from where. */
interface Sent {
  readonly at: number;
  readonly user: string;
  readonly address: string;
}

/** The most calls of one key within any `windowMs` (a sliding window over the send times). */
function peakInWindow(sent: readonly Sent[], keyOf: (s: Sent) => string, windowMs: number): number {
  const byKey = new Map<string, number[]>();
  for (const s of sent) {
    const key = keyOf(s);
    const times = byKey.get(key);
    if (times) times.push(s.at);
    else byKey.set(key, [s.at]);
  }
  let peak = 0;
  for (const times of byKey.values()) {
    times.sort((a, b) => a - b);
    for (let start = 0, end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! >= windowMs) start++;
      peak = Math.max(peak, end - start + 1);
    }
  }
  return peak;
}

/**
 * The scenario's demand against each documented limit: the contract's token buckets replayed
 * over the calls as sent (how many they would refuse), WAF's 60 s count per key, and API
 * Gateway's stage throttle over the whole stage.
 */
function demandAgainstLimits(sent: readonly Sent[]) {
  const buckets = new ApiRateLimiter(LIMITS);
  const refused = { perUser: 0, perAddress: 0 };
  for (const s of [...sent].sort((a, b) => a.at - b.at)) {
    const refusal = buckets.check(`Bearer ${s.user}`, s.address, s.at);
    if (refusal) refused[refusal.limit]++;
  }
  const describe = (limit: RateLimit) => `${limit.ratePerSecond}/s, burst ${limit.burst}`;
  const windowMs = WAF_EVALUATION_WINDOW_SECONDS * 1000;
  const stage = apiGatewayThrottle(LIMITS);
  const perKey = (keyOf: (s: Sent) => string, limit: RateLimit, name: 'perUser' | 'perAddress') => ({
    documented: describe(limit),
    keys: new Set(sent.map(keyOf)).size,
    peakCallsIn1s: peakInWindow(sent, keyOf, 1000),
    peakCallsIn60s: peakInWindow(sent, keyOf, windowMs),
    wafLimitPer60s: wafRateLimit(limit),
    refusedByContractBuckets: refused[name],
  });
  const figures = {
    perUser: perKey((s) => s.user, LIMITS.perUser, 'perUser'),
    perAddress: perKey((s) => s.address, LIMITS.perAddress, 'perAddress'),
    stage: { documented: describe(stage), peakCallsIn1s: peakInWindow(sent, () => 'stage', 1000) },
  };
  const within =
    refused.perUser === 0 &&
    refused.perAddress === 0 &&
    figures.perUser.peakCallsIn60s <= figures.perUser.wafLimitPer60s &&
    figures.perAddress.peakCallsIn60s <= figures.perAddress.wafLimitPer60s &&
    figures.stage.peakCallsIn1s <= stage.burst;
  return { ...figures, withinDocumentedLimits: within };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'load-test-'));
  const runtime = await startLocalRuntime({ port: 0, dataDir });
  const client = new LocalClient(runtime.url);
  const statuses = new Map<number, number>();
  const violations: string[] = [];
  const latencies: number[] = [];
  const sent: Sent[] = [];
  let transportErrors = 0;
  try {
    const issuer = new TokenIssuer({ key: await loadOrCreateSigningKey(join(dataDir, 'keys')), password: 'unused' });
    const token = (username: string, group: string, orgId: string) => issuer.accessToken({ username, group, orgId } as never, { expiresIn: 3600 });
    const buyers = await Promise.all(Array.from({ length: BUYERS }, (_, i) => token(`load-buyer-${i}`, 'buyer', 'B001')));
    const factories = await Promise.all(Array.from({ length: FACTORIES }, (_, i) => token(`load-factory-${i}`, 'factory', 'F001')));

    /** One call: anything but a 2xx is a violation; a dropped POST is sent again under its Idempotency-Key. */
    const call = async (method: string, path: string, options: Parameters<LocalClient['call']>[2]): Promise<HttpAnswer> => {
      // Like a careful client, every POST carries an Idempotency-Key, so a retry after a
      // dropped connection can never create a second request.
      const headers = method === 'POST' ? { 'Idempotency-Key': randomUUID(), ...options?.headers } : options?.headers;
      for (let attempt = 0; ; attempt++) {
        let answer: HttpAnswer;
        sent.push({ at: Date.now(), user: options?.token ?? 'anonymous', address: options?.from ?? '127.0.0.1' });
        try {
          answer = await client.call(method, path, { ...options, ...(headers && { headers }) });
        } catch (error) {
          transportErrors += 1;
          violations.push(`${method} ${path}: dropped connection ${String(error)}`);
          if (method === 'POST' && attempt < MAX_TRANSPORT_RETRIES) continue;
          throw error;
        }
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        latencies.push(answer.ms);
        if (answer.status === 429) violations.push(`${method} ${path}: 429 (Retry-After ${String(answer.headers['retry-after'])}) ${JSON.stringify(answer.body).slice(0, 200)}`);
        else if (answer.status < 200 || answer.status >= 300) violations.push(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
        return answer;
      }
    };

    const evidence = await call('POST', '/v1/evidence', { token: factories[0], body: { name: 'Audit 2026', docType: 'audit-report' } });
    const queue: { requestId: string; itemId: string }[] = [];
    let creating = true;
    const started = performance.now();
    const fulfilled = { count: 0 };
    const factoryWork = (async () => {
      await pool(Array.from({ length: FACTORIES }, (_, i) => i), FACTORIES, async (f) => {
        for (let idle = 0; idle < 6_000; ) {
          const next = queue.shift();
          if (!next) {
            if (!creating) return;
            idle++;
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          const a = await call('POST', `/v1/requests/${next.requestId}/items/${next.itemId}/fulfill`, { token: factories[f], body: { evidenceId: evidence.body.evidenceId }, from: loopbackAddress(f) }).catch(() => undefined);
          if (a && a.status === 200) fulfilled.count++;
        }
      });
    })();
    let created = 0;
    await pool(Array.from({ length: BUYERS }, (_, i) => i), BUYERS, async (b) => {
      for (let n = 0; n < REQUESTS_EACH; n++) {
        const a = await call('POST', '/v1/requests', { token: buyers[b], body: { factoryId: 'F001', title: `load ${b}-${n}`, items: [{ docType: 'audit-report' }] }, from: loopbackAddress(b) }).catch(() => undefined);
        if (a?.status === 201) {
          created++;
          queue.push({ requestId: a.body.requestId, itemId: a.body.items[0].itemId });
        }
      }
    });
    creating = false;
    await factoryWork;
    const seconds = (performance.now() - started) / 1000;

    // Reconcile: every audit event of the table in the archive exactly once (the archive may lag a few seconds).
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: runtime.dynamodbEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }));
    const tableIds: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < 10_000; page++) {
      const answer = await documents.send(new ScanCommand({ TableName: runtime.tableName, FilterExpression: 'entity = :a', ExpressionAttributeValues: { ':a': 'audit' }, ProjectionExpression: 'eventId', ExclusiveStartKey: startKey, ConsistentRead: true }));
      tableIds.push(...(answer.Items ?? []).map((i) => i.eventId as string));
      startKey = answer.LastEvaluatedKey;
      if (!startKey) break;
    }
    const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: runtime.s3Endpoint }), LOCAL_ARCHIVE_BUCKET);
    const readArchive = async () => {
      const ids: string[] = [];
      for await (const listed of store.list('audit/')) for (const r of decodeLines((await store.get(listed.key))!)) ids.push((r as { eventId: string }).eventId);
      return ids;
    };
    let archived: string[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      archived = await readArchive();
      if (new Set(archived).size >= new Set(tableIds).size) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    documents.destroy();
    const counts = new Map<string, number>();
    for (const id of archived) counts.set(id, (counts.get(id) ?? 0) + 1);
    const missing = tableIds.filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const unknown = [...counts.keys()].filter((id) => !tableIds.includes(id));
    if (missing.length) violations.push(`${missing.length} audit events missing from the archive`);
    if (doubled.length) violations.push(`${doubled.length} audit events archived more than once`);
    if (unknown.length) violations.push(`${unknown.length} archived events not in the table`);

    const limits = demandAgainstLimits(sent);
    // Below the documented limits every call must be served; a scenario above them would have
    // to change (or the contract's limits), not be retried through.
    if (!limits.withinDocumentedLimits) violations.push(`the scenario exceeds a documented rate limit: ${JSON.stringify(limits)}`);
    console.log(
      JSON.stringify(
        {
          buyers: BUYERS,
          requestsEach: REQUESTS_EACH,
          factories: FACTORIES,
          created,
          fulfilled: fulfilled.count,
          seconds: +seconds.toFixed(1),
          callsPerSecond: +([...statuses.values()].reduce((a, b) => a + b, 0) / seconds).toFixed(1),
          statuses: Object.fromEntries(statuses),
          shed429: statuses.get(429) ?? 0,
          serverErrors5xx: serverErrorCount(statuses),
          transportErrors,
          limits,
          latencyMs: { p50: +percentile(latencies, 50).toFixed(1), p99: +percentile(latencies, 99).toFixed(1) },
          reconciliation: { tableAuditEvents: tableIds.length, archivedRecords: archived.length, missing: missing.length, doubled: doubled.length, unknown: unknown.length },
          violations: violations.slice(0, 20),
          violationCount: violations.length,
        },
        null,
        2,
      ),
    );
    const serverErrors = serverErrorCount(statuses);
    console.log(
      `${violations.length === 0 ? 'PASS' : 'FAIL'}: ${statuses.get(429) ?? 0} x 429 (must be 0), ${serverErrors} x 5xx, ${transportErrors} dropped connections, ` +
        `${limits.withinDocumentedLimits ? 'within' : 'ABOVE'} the documented limits, ${violations.length} violations`,
    );
  } finally {
    client.close();
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(violations.length > 0 ? 1 : 0);
}

await main();
