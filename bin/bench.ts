/**
 * `npm run bench`: every figure beside its baseline, measured in the same run, printed as a
 * table and written as JSON to bench/results/<date>.json, with the targets met or missed.
 */
import '../bench/env.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureArchive, type ArchiveFigures } from '../bench/archive.js';
import { measureBundles } from '../bench/bundles.js';
import { CONSOLE_FIRST_LOAD_BUDGET_KB, measureConsoleBundle } from '../bench/console-bundle.js';
import { measureCapacity, type CapacityFigures } from '../bench/capacity.js';
import { BENCH_SCALE_USERS, COST_TARGET_PER_MILLION, costPerMillion, fixedMonthly, judgeTarget, LINE_ITEMS, notificationCostPerMillion, perCallUsage, PRICES, rateAt, REGIONS } from '../bench/cost.js';
import { INPUT_LABELS, resolveCostInputs, shortSource } from '../bench/cost-inputs.js';
import { measureEndToEnd, type LoadFigures } from '../bench/end-to-end.js';
import { measureFreshness, type FreshnessFigures } from '../bench/freshness.js';
import { measureMiddleware } from '../bench/middleware.js';
import { measurePackBuild } from '../bench/packs.js';
import { MUTATION_REPORT, readMutationScore } from '../bench/mutation.js';
import { measureNotifications, type NotificationFigures } from '../bench/notifications.js';
import { figure, ratio, type Figure } from '../bench/stats.js';
import { startDynamoDbLocal } from '../local/dynamodb-local.js';

interface Target {
  readonly name: string;
  readonly met: boolean | undefined;
  readonly detail: string;
}

// A reset keep-alive socket of a dying emulator must not end the whole run: record and go on.
const stray: string[] = [];
process.on('uncaughtException', (error) => stray.push(String(error)));

/** `npm run bench -- --only <word>`: only the sections whose name contains the word (the others are skipped and say so). */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

async function section<T>(name: string, run: () => Promise<T> | T, errors: Record<string, string>): Promise<T | undefined> {
  if (only !== undefined && !name.includes(only)) {
    process.stderr.write(`[bench] ${name} skipped (--only ${only})\n`);
    return undefined;
  }
  const started = performance.now();
  process.stderr.write(`[bench] ${name}...\n`);
  try {
    const result = await run();
    process.stderr.write(`[bench] ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  } catch (error) {
    errors[name] = error instanceof Error ? error.message : String(error);
    process.stderr.write(`[bench] ${name} FAILED: ${errors[name]}\n`);
    return undefined;
  }
}

async function main() {
  const errors: Record<string, string> = {};
  const figures: Figure[] = [];
  const targets: Target[] = [];

  const bundles = await section('bundles and cold import', () => measureBundles(7), errors);
  if (bundles) {
    const bare = bundles.bareNodeMs;
    const dynamoNet = bundles.dynamoOnly.coldImportMs - bare;
    for (const b of bundles.bundles) {
      figures.push(figure('bundle', `${b.name} size`, b.bytes / 1024, 'KiB', { value: bundles.dynamoOnly.bytes / 1024, name: 'DynamoDB client only' }));
      figures.push(figure('cold import', b.name, b.coldImportMs, 'CPU ms', { value: bundles.dynamoOnly.coldImportMs, name: 'DynamoDB client only' }));
      figures.push(figure('cold import net', `${b.name} (minus node -e 0)`, b.coldImportMs - bare, 'CPU ms', { value: dynamoNet, name: 'DynamoDB client only, net' }));
    }
    figures.push(figure('cold import', 'DynamoDB client only', bundles.dynamoOnly.coldImportMs, 'CPU ms', { value: bare, name: 'node -e 0' }));
    figures.push(figure('cold import', 'node -e 0 (bare node start)', bare, 'CPU ms'));
    for (const b of bundles.bundles.filter((x) => ['requests', 'evidence', 'audit', 'public'].includes(x.name))) {
      // The target is a whole cold process (what a Lambda init pays); net of Node's own start,
      // which both sides pay and which flatters the ratio, it is judged as well.
      const gross = ratio(b.coldImportMs, bundles.dynamoOnly.coldImportMs);
      const net = ratio(b.coldImportMs - bare, dynamoNet);
      targets.push({ name: `cold import ${b.name} <= 1.3x DynamoDB client only (whole process)`, met: gross <= 1.3, detail: `${gross}x with node's ${bare.toFixed(0)} CPU ms start on both sides` });
      targets.push({ name: `cold import ${b.name} <= 1.3x DynamoDB client only, net of node start`, met: net <= 1.3, detail: `${net}x net` });
    }
  }

  const consoleBundle = await section('web console first load', () => measureConsoleBundle(), errors);
  if (consoleBundle) {
    const kb = Math.round((consoleBundle.gzipBytes / 1000) * 10) / 10;
    figures.push(figure('web console', `first load gzipped (${consoleBundle.files.length} files)`, kb, 'KB', { value: CONSOLE_FIRST_LOAD_BUDGET_KB, name: 'budget' }));
    figures.push(figure('web console', 'first load uncompressed', Math.round(consoleBundle.bytes / 100) / 10, 'KB'));
    targets.push({ name: `web console first load < ${CONSOLE_FIRST_LOAD_BUDGET_KB} KB gzipped`, met: kb < CONSOLE_FIRST_LOAD_BUDGET_KB, detail: `${kb} KB` });
  }

  // The 100-file pack only: the 1 GiB one is `npm run bench:packs` (it writes 2 GiB to the temp folder).
  const packBuild = await section('pack build (100 files)', () => measurePackBuild('100-files', 100, 1024 ** 2), errors);
  if (packBuild) {
    figures.push(figure('pack build', '100 files x 1 MiB build time', packBuild.ms, 'ms'));
    figures.push(figure('pack build', '100 files x 1 MiB peak RSS', packBuild.maxRssMiB, 'MiB', { value: 512, name: 'Lambda memory' }));
    targets.push({ name: 'pack builder peak RSS < 512 MiB (its Lambda memory)', met: packBuild.maxRssMiB < 512, detail: `${Math.round(packBuild.maxRssMiB)} MiB` });
  }

  const middleware = await section('middleware overhead', () => measureMiddleware(20_000), errors);
  for (const m of middleware ?? []) {
    figures.push(figure('warm chain', `${m.operation} p50`, m.chainP50Us, 'us', { value: m.bareP50Us, name: 'bare handler' }));
    figures.push(figure('warm chain', `${m.operation} p99`, m.chainP99Us, 'us', { value: m.bareP99Us, name: 'bare handler' }));
    targets.push({ name: `middleware overhead p99 <= 2 ms (${m.operation})`, met: m.chainP99Us - m.bareP99Us <= 2000, detail: `${((m.chainP99Us - m.bareP99Us) / 1000).toFixed(2)} ms` });
  }

  let capacity: CapacityFigures[] | undefined;
  let freshness: FreshnessFigures | undefined;
  let notifications: NotificationFigures | undefined;
  const dynamodb = await startDynamoDbLocal();
  try {
    capacity = await section('DynamoDB capacity per operation', () => measureCapacity(dynamodb.endpoint), errors);
    freshness = await section('session freshness and sealing (bench/freshness.ts)', () => measureFreshness(dynamodb.endpoint), errors);
    notifications = await section('notifications (stream -> notifier -> inbox, webhook burst)', () => measureNotifications(dynamodb.endpoint), errors);
  } finally {
    await dynamodb.stop();
  }
  if (freshness) {
    const f = freshness;
    figures.push(figure('freshness', 'session check, cached (nearly every call) p50', f.hitP50Us, 'us', { value: f.hitP99Us, name: 'p99' }));
    figures.push(figure('freshness', 'session check, cache miss (2 parallel GetItem) p50', f.missP50Us, 'us', { value: f.missP99Us, name: 'p99' }));
    figures.push(figure('freshness', 'read units per cache miss (user + org item)', f.missReadUnits, 'RCU'));
    figures.push(figure('freshness', `read units per call, one user at 1 call/s (1 miss per ${f.cacheMs / 1000} s)`, f.missReadUnits / (f.cacheMs / 1000), 'RCU'));
    figures.push(figure('freshness', 'change -> first refusal, real time (deployed cache age)', f.refusalMs, 'ms', { value: 60_000, name: 'contract bound' }));
    figures.push(figure('privacy', 'seal one audit event (key cached) p50', f.sealP50Us, 'us', { value: f.sealP99Us, name: 'p99' }));
    targets.push({ name: 'a change bites within 60 s', met: f.refusalMs <= 60_000, detail: `${f.refusalMs} ms (cache age ${f.cacheMs} ms)` });
    targets.push({ name: 'no table read per call: a cached session check costs no RCU and < 50 us p99', met: f.hitP99Us < 50, detail: `${f.hitP99Us.toFixed(1)} us p99` });
  }
  /** The issue's targets, judged by AWS's documented rules (DynamoDB Local's transaction accounting is printed beside). */
  const WRITE_TARGETS: Record<string, number> = { 'create request': 8, 'fulfil item': 12, 'review item': 8, 'read request (an audited read)': 3 };
  for (const c of capacity ?? []) {
    const perIndex = Object.entries(c.aws.indexes).map(([index, units]) => `${index} ${units}`).join(', ');
    figures.push(figure('capacity', `${c.operation} WCU, AWS rules`, c.aws.total, 'WCU', { value: c.writeUnits, name: 'DynamoDB Local reports' }));
    figures.push(figure('capacity', `${c.operation} WCU, AWS: table / indexes`, c.aws.table, 'WCU', { value: c.aws.total - c.aws.table, name: perIndex ? `indexes (${perIndex})` : 'indexes' }));
    figures.push(figure('capacity', `${c.operation} RCU${c.pageItems !== undefined ? ` (${c.pageItems} items)` : ''}`, c.readUnits, 'RCU'));
    const target = WRITE_TARGETS[c.operation];
    if (target !== undefined) {
      targets.push({
        name: `${c.operation} <= ${target} WCU (AWS rules)`,
        met: c.aws.total <= target,
        detail: `${c.aws.total} WCU: table ${c.aws.table} (items ${c.itemBytes.join(' + ')} bytes), indexes ${perIndex || 'none'}; DynamoDB Local reports ${c.writeUnits}` +
          (c.aws.total > target && c.operation === 'create request'
            ? '. The floor for this design: two items in a transaction (2 x 2 WCU, "Capacity management for transactions") and one entry of at least 1 WCU in each index a list needs ("GSI writes": the request by buyer, by factory and for every tenant; its audit event by actor and by resource)'
            : ''),
      });
    }
  }

  if (notifications) {
    const n = notifications;
    figures.push(figure('notifications', `lag change -> inbox p50 (${n.lag.events} events)`, n.lag.p50Ms, 'ms'));
    figures.push(figure('notifications', `lag change -> inbox p99 (${n.lag.events} events)`, n.lag.p99Ms, 'ms'));
    figures.push(figure('notifications', `webhook burst: delivered of ${n.burst.events}`, n.burst.delivered, 'events'));
    figures.push(figure('notifications', 'webhook burst: all delivered within', n.burst.allDeliveredWithinMs, 'ms'));
    figures.push(figure('notifications', 'webhook burst: deliveries per second', n.burst.perSecond, '/s'));
    figures.push(figure('notifications', 'webhook burst: change -> receiver p50', n.burst.lagP50Ms, 'ms'));
    figures.push(figure('notifications', 'webhook burst: change -> receiver p99', n.burst.lagP99Ms, 'ms'));
    figures.push(figure('notifications', 'webhook burst: duplicates', n.burst.duplicates, 'POSTs'));
    figures.push(figure('notifications', 'webhook burst: signatures verified', n.burst.verified, 'POSTs'));
    figures.push(figure('notifications', 'notifier handler time per event', n.notifierMsPerEvent, 'ms'));
    figures.push(figure('notifications', 'worker handler time per delivery', n.workerMsPerDelivery, 'ms'));
    targets.push({ name: 'notification lag p99 < 5 s', met: n.lag.p99Ms < 5000, detail: `${n.lag.p99Ms} ms` });
    targets.push({ name: 'every burst event delivered once, signature verified', met: n.burst.delivered === n.burst.events && n.burst.duplicates === 0 && n.burst.verified === n.burst.events, detail: `${n.burst.delivered} delivered, ${n.burst.duplicates} duplicates, ${n.burst.verified} verified` });
    for (const region of REGIONS) {
      const cost = notificationCostPerMillion(region, { notifierMsPerEvent: n.notifierMsPerEvent, workerMsPerDelivery: n.workerMsPerDelivery, recipients: 1, webhooks: 1, recordsPerInvocation: 10 });
      for (const [part, dollars] of Object.entries(cost)) figures.push(figure(`events $/M ${region}`, `notification ${part} (1 recipient with e-mail, 1 webhook)`, dollars, 'USD'));
    }
  }

  const e2e: LoadFigures[] | undefined = await section('end to end through the local runtime', () => measureEndToEnd({ 1: 100, 200: 1000 }), errors);
  // Each operation beside its own floor: the same DynamoDB calls straight to DynamoDB Local at the same concurrency.
  const E2E_OPERATIONS = ['create request', 'fulfil item', 'list requests', 'audit read'];
  const floorOf = (f: LoadFigures) => e2e?.find((x) => x.baselineOf === f.operation && x.concurrency === f.concurrency);
  for (const f of (e2e ?? []).filter((x) => x.baselineOf === undefined)) {
    const floor = floorOf(f);
    const floorName = floor ? `raw: ${floor.calls}` : 'no raw run';
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} p50 (served only)`, f.p50Ms, 'ms', floor && { value: floor.p50Ms, name: floorName }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} p99 (served only)`, f.p99Ms, 'ms', floor && { value: floor.p99Ms, name: floorName }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} served/s`, f.perSecond, 'req/s', floor && { value: floor.perSecond, name: floorName }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} DynamoDB requests per call (runtime)`, f.runtimeCallsPerCall ?? NaN, 'requests', floor && { value: floor.callsPerTask ?? NaN, name: 'raw calls per task' }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} served`, f.served, 'calls', { value: f.count, name: 'calls sent' }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} shed (429)`, f.shed, 'calls', { value: f.count, name: 'calls sent' }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} 5xx`, f.serverErrors, 'calls', { value: f.count, name: 'calls sent' }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} transport failures`, f.transportFailures, 'calls', { value: f.count, name: 'calls sent' }));
    figures.push(figure('end to end', `${f.operation} c=${f.concurrency} other non-2xx`, f.otherFailures, 'calls', { value: f.count, name: 'calls sent' }));
  }
  for (const f of (e2e ?? []).filter((x) => x.baselineOf !== undefined)) {
    figures.push(figure('end to end raw', `${f.baselineOf} c=${f.concurrency} p50: ${f.calls}`, f.p50Ms, 'ms', { value: f.p99Ms, name: 'p99' }));
    if (f.served < f.count) figures.push(figure('end to end raw', `${f.baselineOf} c=${f.concurrency} failed`, f.count - f.served, 'calls', { value: f.count, name: 'calls sent' }));
  }
  // The burst targets (issue 15), for every operation at both concurrencies: served whole, and p99 within 3x its floor.
  for (const operation of E2E_OPERATIONS) {
    for (const concurrency of [1, 200]) {
      const measured = e2e?.find((x) => x.operation === operation && x.baselineOf === undefined && x.concurrency === concurrency);
      if (!measured) continue;
      const floor = floorOf(measured);
      const whole = measured.count > 0 && measured.served === measured.count;
      targets.push({
        name: `end-to-end ${operation} at c=${concurrency}: no 429, no 5xx, no dropped connection`,
        met: whole,
        detail: `${measured.served} served of ${measured.count}; ${measured.shed} shed (429), ${measured.serverErrors} 5xx, ${measured.transportFailures} transport failures, ${measured.otherFailures} other non-2xx`,
      });
      const r = floor && floor.served === floor.count ? ratio(measured.p99Ms, floor.p99Ms) : NaN;
      targets.push({
        name: `end-to-end ${operation} p99 at c=${concurrency} <= 3x raw DynamoDB Local p99 of the same calls`,
        met: whole && r <= 3,
        detail: floor
          ? `${r}x: ${measured.p99Ms.toFixed(1)} ms over ${measured.served} served vs ${floor.p99Ms.toFixed(1)} ms raw (${floor.calls}; ${floor.served} of ${floor.count} succeeded); ` +
            `the runtime sent ${measured.runtimeCallsPerCall} DynamoDB requests per call (${measured.runtimeCalls})`
          : 'no raw run',
      });
    }
  }

  const archive: ArchiveFigures | undefined = await section('archive (bin/archive-figures.ts)', () => measureArchive(), errors);
  if (archive) {
    const { burst, archiver } = archive;
    figures.push(figure('archive', 'events per S3 PUT (1,000-call burst)', burst.eventsPerPut, 'events', { value: 1, name: 'one PUT per event' }));
    figures.push(figure('archive', 'S3 PUTs of the burst: audit / changes', burst.auditPuts, 'audit', { value: burst.changesPuts, name: 'changes objects' }));
    figures.push(figure('archive', 'lag p50', archive.lag.p50Ms, 'ms'));
    figures.push(figure('archive', 'lag p99', archive.lag.p99Ms, 'ms'));
    figures.push(figure('archive', 'gzip bytes per event', burst.gzipBytesPerEvent, 'B', { value: burst.jsonBytesPerEvent, name: 'JSON bytes per event' }));
    figures.push(figure('archive', 'stream records per archiver invocation', archiver.recordsPerInvocation, 'records'));
    figures.push(figure('archive', 'archiver invocation p50', archiver.msP50, 'ms', { value: archiver.msP99, name: 'p99' }));
    targets.push({ name: '>= 100 events per S3 PUT under a 1,000-call burst (audit and changes PUTs)', met: burst.eventsPerPut >= 100, detail: `${burst.eventsPerPut}` });
  }

  // Cost per million API calls: every function, the stated traffic mix of bench/cost.ts (WORKLOAD),
  // this run's capacity units and, for what this run did not measure, the newest result file or a
  // stated default (bench/cost-inputs.ts); each input is printed with its source.
  if (capacity) {
    const resolved = resolveCostInputs(
      {
        // Write units by AWS's documented rules for the items written, not DynamoDB Local's transaction accounting.
        capacity: Object.fromEntries(capacity.map((c) => [c.operation, { writeUnits: c.aws.total, readUnits: c.readUnits }])),
        apiLambdaMs: e2e?.find((x) => x.operation === 'create request' && x.concurrency === 1)?.p50Ms,
        archivePutsPerInvocation: archive?.archiver.putsPerInvocation,
        archiverMs: archive?.archiver.msMean,
        archiveGzipBytesPerEvent: archive?.burst.gzipBytesPerEvent,
        notifierMsPerEvent: notifications?.notifierMsPerEvent,
        workerMsPerDelivery: notifications?.workerMsPerDelivery,
        packBuild100MiBMs: packBuild?.ms,
      },
      join(new URL('..', import.meta.url).pathname, 'bench', 'results'),
    );
    const rate = rateAt(BENCH_SCALE_USERS);
    const usage = perCallUsage(resolved.inputs, { callsPerSecond: rate.callsPerSecond });
    const at = `at ${BENCH_SCALE_USERS.toLocaleString('en-US')} users, ${rate.callsPerSecond.toFixed(1)} calls/s`;
    for (const region of REGIONS) {
      const cost = costPerMillion(region, usage);
      for (const item of LINE_ITEMS) figures.push(figure(`cost/M calls ${region}`, item.label, cost[item.key], 'USD'));
      figures.push(figure(`cost/M calls ${region}`, 'API path: gateway, WAF, API Lambda and units, logs, traces, answers', cost.apiPath, 'USD'));
      figures.push(figure(`cost/M calls ${region}`, `total, every function (${at})`, cost.total, 'USD', { value: COST_TARGET_PER_MILLION, name: 'target' }));
      figures.push(figure(`cost/M calls ${region}`, 'fixed a month (WAF ACL + rules, KMS keys, alarms, dashboard, schedules)', fixedMonthly(region), 'USD'));
      const judged = judgeTarget(region, cost, usage, COST_TARGET_PER_MILLION);
      targets.push({ name: `cost per million API calls <= $${COST_TARGET_PER_MILLION}, every function included (${region}, ${at})`, met: judged.met, detail: judged.detail });
    }
    const inputRows: [string, number, string][] = [
      ['calls per evidence request (the mix of bench/cost.ts WORKLOAD)', usage.callsPerRequest, 'calls'],
      ['DynamoDB write units per call, API (from capacity)', usage.writeUnitsApi, 'WRU'],
      ['DynamoDB read units per call, API (from capacity)', usage.readUnitsApi, 'RRU'],
      ['DynamoDB write units per call, consumers', usage.writeUnitsConsumers, 'WRU'],
      ['uploads verified per 1,000 calls', usage.uploads * 1000, 'files'],
      ['packs built per 1,000 calls', usage.packs * 1000, 'packs'],
      ['product events per 1,000 calls', usage.events * 1000, 'events'],
      ['e-mails per 1,000 calls', usage.emails * 1000, 'e-mails'],
      ['webhook deliveries per 1,000 calls', usage.webhookDeliveries * 1000, 'POSTs'],
      ['stream records per call', usage.streamRecords, 'records'],
      ['archiver records per invocation (5 s window at this rate)', usage.archiverRecordsPerInvocation, 'records'],
      ['notifier records per invocation (4 polls/s at this rate)', usage.notifierRecordsPerInvocation, 'records'],
      ['archive S3 PUTs per 1,000 calls', usage.archivePuts * 1000, 'PUTs'],
    ];
    for (const [name, value, unit] of inputRows) figures.push(figure('cost inputs', name, value, unit));
    for (const key of Object.keys(INPUT_LABELS) as (keyof typeof INPUT_LABELS)[]) {
      figures.push(figure('cost inputs', `${INPUT_LABELS[key].label} [${shortSource(resolved.sources[key])}]`, resolved.inputs[key], INPUT_LABELS[key].unit));
    }
    figures.push(figure('cost inputs', `capacity units per operation [${shortSource(resolved.sources.capacity)}]`, Object.keys(resolved.inputs.capacity).length, 'operations'));
    // A later run without the archive section reads the archiver's two rows back from this run's result file.
    if (usage.unmeasured.length > 0) errors['cost mix'] = `no capacity figure for: ${usage.unmeasured.join(', ')} (priced at 0 units)`;
  }

  // Mutation score: from the last `npm run test:mutation` report, not measured by this run.
  const mutation = readMutationScore(new URL('..', import.meta.url).pathname);
  if (mutation) {
    for (const a of mutation.areas) {
      figures.push(figure(`mutation (${mutation.ageHours} h old)`, `${a.area}: ${a.detected} killed, ${a.survived} survived, ${a.noCoverage} uncovered`, a.score, '%'));
    }
    const core = mutation.areas[0]!;
    targets.push({ name: 'mutation score of the domain core >= 85% (last npm run test:mutation)', met: core.score >= 85, detail: `${core.score}%, report ${mutation.ageHours} h old` });
    for (const a of mutation.areas.slice(2)) targets.push({ name: `no surviving mutant in the ${a.area}`, met: a.survived + a.noCoverage === 0, detail: `${a.survived} survived, ${a.noCoverage} uncovered` });
  } else {
    errors['mutation score'] = `no ${MUTATION_REPORT}: run npm run test:mutation`;
  }

  const date = new Date().toISOString().slice(0, 10);
  const width = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s.padEnd(n));
  const lines = [
    `${width('section', 22)} ${width('figure', 64)} ${width('value', 14)} ${width('baseline', 40)} ratio`,
    ...figures.map((f) =>
      [width(f.section, 22), width(f.name, 64), width(`${f.value} ${f.unit}`, 14), width(f.baseline !== undefined ? `${f.baseline} (${f.baselineName})` : '-', 40), f.ratio !== undefined ? `${f.ratio}x` : ''].join(' '),
    ),
    '',
    'targets:',
    ...targets.map((t) => `  [${t.met ? 'met' : 'MISSED'}] ${t.name}: ${t.detail}`),
    ...Object.entries(errors).map(([name, message]) => `  [error] ${name}: ${message}`),
    `prices: ${PRICES.source}, as of ${PRICES.date}, regions ${REGIONS.join(', ')} (bench/cost.ts)`,
  ];
  console.log(lines.join('\n'));
  const dir = join(new URL('..', import.meta.url).pathname, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}${only ? `-${only}` : ""}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), node: process.version, figures, targets, errors, stray, prices: PRICES }, null, 2));
  console.log(`\nwritten to ${file}`);
}

await main();
process.exit(0);
