/**
 * `npx tsx bin/cost-model.ts [--write] [--region eu-west-1]`: the monthly cost model for 100,
 * 10,000 and 1,000,000 active users and the design limits, as markdown. `--write` writes it to
 * docs/cost-model.md (which says so at its top); without it, it prints it. Inputs: bench/cost.ts
 * (prices, traffic mix, per-user assumptions), bench/cost-model.ts (storage and retention), the
 * measured figures of the newest bench result (bench/cost-inputs.ts, each with its source); the
 * fixed setup (alarms, keys, WAF rules, function memory) is kept equal to the synthesized prod
 * stacks by test/infra/cost-inputs.test.ts.
 */
import '../bench/env.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveCostInputs, INPUT_LABELS } from '../bench/cost-inputs.js';
import { monthlyModel, type MonthlyModel, PROD_RETENTION, ITEM_BYTES } from '../bench/cost-model.js';
import {
  API_GATEWAY_TIERS,
  COST_TARGET_PER_MILLION,
  costPerMillion,
  FIXED_SETUP,
  FUNCTION_MEMORY_MB,
  LINE_ITEMS,
  type MixOperation,
  PRICE_SOURCES,
  PRICES,
  rateAt,
  type Region,
  REGIONS,
  SCALES,
  tieredCost,
  USER_ASSUMPTIONS,
  WORKLOAD,
} from '../bench/cost.js';
import { KIND_SHARDS } from '../functions/adapters/dynamo-items.js';
import { apiGatewayThrottle, DEFAULT_RATE_LIMITS, SHARED_LINK_RATE_PER_MINUTE, STAGE_DEFAULTS } from '../lib/stages.js';

const ROOT = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { write: { type: 'boolean', default: false }, region: { type: 'string', default: STAGE_DEFAULTS.prod.region } } });
const region = values.region as Region;
if (!REGIONS.includes(region)) throw new Error(`--region ${values.region}: priced regions are ${REGIONS.join(', ')}`);

const { inputs, sources } = resolveCostInputs({}, join(ROOT, 'bench', 'results'));
const models = SCALES.map((users) => monthlyModel(region, users, inputs));
const otherRegion = REGIONS.find((r) => r !== region)!;
const otherModels = SCALES.map((users) => monthlyModel(otherRegion, users, inputs));

// ---- formatting ----------------------------------------------------------------------------
const n = (x: number, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sig = (x: number) => (x >= 100 ? n(x) : x >= 10 ? n(x, 1) : x >= 1 ? n(x, 2) : x >= 0.01 ? n(x, 3) : x === 0 ? '0' : x.toExponential(1));
const usd = (x: number) => (x >= 100 ? `$${n(x)}` : x >= 1 ? `$${n(x, 2)}` : x >= 0.005 ? `$${n(x, 2)}` : x === 0 ? '$0' : '< $0.01');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
/** A table head; numeric tables right-align every column but the first. */
const header = (cells: string[], numeric = true) => [row(cells), row(cells.map((_, i) => (i === 0 || !numeric ? '---' : '---:')))].join('\n');
const users = (x: number) => (x >= 1e6 ? `${n(x / 1e6, x >= 1e7 ? 0 : 1)} M` : x >= 1e3 ? `${n(x / 1e3, x >= 1e4 ? 0 : 1)} k` : n(x));

// ---- limits --------------------------------------------------------------------------------
const perUserPeak = rateAt(1).peakCallsPerSecond;
const usersAt = (callsPerSecond: number) => callsPerSecond / perUserPeak;
const big = models[models.length - 1]!;
const u = big.usage;
const stageThrottle = apiGatewayThrottle(DEFAULT_RATE_LIMITS);
const auditWritesPerCall = u.auditEvents; // one base-table write each (an audit item is under 1 KB)
const tableWruPerCall = u.writeUnitsApi + u.writeUnitsConsumers;
const tableRruPerCall = u.readUnitsApi + u.readUnitsConsumers;
const lambdaSecondsPerCall = inputs.apiLambdaMs / 1000 + u.lambda.fileVerifier.gbSeconds / (FUNCTION_MEMORY_MB.fileVerifier / 1024) + u.lambda.packBuilder.gbSeconds / (FUNCTION_MEMORY_MB.packBuilder / 1024) + u.lambda.webhookWorker.gbSeconds / (FUNCTION_MEMORY_MB.webhookWorker / 1024);
const systemEventsPerCall = u.uploads + u.packs;
const auditGzipPerDayPerUser = (u.auditEvents * inputs.archiveGzipBytesPerEvent * rateAt(1).callsPerMonth) / 30;
const athenaCutoffUsers = PROD_RETENTION.athenaCutoffBytes / (auditGzipPerDayPerUser * USER_ASSUMPTIONS.athenaQueryDays);
// Index writes a request's story puts into each party's own index partitions (created, first fulfil, last fulfil or close).
const tenantIndexWritesPerRequest = 3;

interface Limit {
  readonly name: string;
  readonly limit: string;
  readonly source: string;
  readonly perCall: string;
  readonly reachedAt: string;
  readonly action: string;
  /** Active users at which steady traffic reaches it, where that is the question. */
  readonly users?: number;
}
const limits: Limit[] = [
  {
    name: 'API Gateway stage throttle (lib/stages.ts)',
    limit: `${n(stageThrottle.ratePerSecond)} rps, burst ${n(stageThrottle.burst)} (4 clients at the per-address limit)`,
    source: 'own setting, bounded by "Amazon API Gateway quotas"',
    perCall: '1 request',
    reachedAt: `${n(stageThrottle.ratePerSecond)} calls/s peak = ${users(usersAt(stageThrottle.ratePerSecond))} active users`,
    users: usersAt(stageThrottle.ratePerSecond),
    action: 'Raise STAGE_HEADROOM_CLIENTS (lib/stages.ts) with the account quota before ~1 M users; per-user and per-address limits stay in WAF.',
  },
  {
    name: 'API Gateway account throttle',
    limit: '10,000 rps per account and region, token-bucket burst 5,000 (adjustable)',
    source: '"Amazon API Gateway quotas" (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)',
    perCall: '1 request',
    reachedAt: `10,000 calls/s peak = ${users(usersAt(10_000))} active users`,
    users: usersAt(10_000),
    action: 'Request a quota increase through Service Quotas (L-8A5B8E43) ahead of growth; every API in the account and region shares it.',
  },
  {
    name: `every-tenant audit log (${KIND_SHARDS} shards, KIND_SHARDS)`,
    limit: `${KIND_SHARDS} x 1,000 WCU/s = ${n(KIND_SHARDS * 1000)} audit writes/s (an event under 1 KB is 1 WCU)`,
    source: '"Best practices for designing and using partition keys effectively in DynamoDB"; "Using write sharding to distribute workloads evenly in your DynamoDB table"; "Key range throughput exceeded (hot partitions)"',
    perCall: `${sig(auditWritesPerCall)} audit writes to AUDIT#<shard> (base table)`,
    reachedAt: `${n((KIND_SHARDS * 1000) / auditWritesPerCall)} calls/s = ${users(usersAt((KIND_SHARDS * 1000) / auditWritesPerCall))} active users`,
    users: usersAt((KIND_SHARDS * 1000) / auditWritesPerCall),
    action: 'Sharding by hash of the event id already spreads the log; raise KIND_SHARDS (readers merge all shards of a page, so each new shard costs every every-tenant page one more query) when audited calls approach ~6,000/s. The shards\' sort keys grow with time, so DynamoDB cannot split a hot shard by key range for heat.',
  },
  {
    name: 'one tenant\'s index partitions (FACTORY#<org>, BUYER#<org>, DUE#...)',
    limit: '1,000 WCU/s and 3,000 RCU/s per partition key value, also in an index',
    source: '"Key range throughput exceeded (hot partitions)"; "Best practices for designing and using partition keys effectively in DynamoDB"; "Understanding global secondary index (GSI) write throttling and back pressure in DynamoDB"',
    perCall: `about ${tenantIndexWritesPerRequest} index writes per request story into each party\'s partitions (created, first and last fulfilment); a list page reads ~0.5 RRU there`,
    reachedAt:
      `steady state: ${n(1000 / tenantIndexWritesPerRequest)} request stories a second for one factory (${n((1000 / tenantIndexWritesPerRequest) * u.callsPerRequest)} calls/s about it): not reached. ` +
      `Burst: 1,000 creates/s addressed to one factory; the 200-buyer scenario (2,000 creates) at the stage's ${n(stageThrottle.ratePerSecond)} rps exceeds it for about a second`,
    action:
      'Today: a hot index partition throttles the base-table write that feeds it ("Understanding global secondary index (GSI) write throttling and back pressure in DynamoDB"), which the SDK retries with bounded backoff; DynamoDB Local does not enforce partition limits, so the bench does not measure this. Write sharding of a busy tenant (FACTORY#<org>#<n>, readers merging n shards as the every-tenant lists do) becomes needed when one tenant sustains more than ~500 index writes/s (half a partition, leaving the rest for bursts); not built, since no tenant comes near it at 1 M users.',
  },
  {
    name: 'one actor\'s audit partition (gsi7 ACTOR#<userId>)',
    limit: '1,000 WCU/s',
    source: 'as above',
    perCall: '1 index write per audited call',
    reachedAt:
      `a person: never (WAF and the API allow ${DEFAULT_RATE_LIMITS.perUser.ratePerSecond}/s, bursts ${DEFAULT_RATE_LIMITS.perUser.burst}); ACTOR#system (verifier, pack builder): ${n(1000 / systemEventsPerCall)} calls/s = ${users(usersAt(1000 / systemEventsPerCall))} users; ` +
      `ACTOR#anonymous (share links, ${SHARED_LINK_RATE_PER_MINUTE}/min per address): ${n((1000 * 60) / SHARED_LINK_RATE_PER_MINUTE)} addresses at their limit at once`,
    action: 'Per-user rate limits keep people far below; shard the two shared actors (system, anonymous) like the every-tenant log if a distributed share-link flood or upload volume approaches it: a throttled audit write fails its call (503), so only share-link accesses or verifications would suffer.',
  },
  {
    name: 'DynamoDB table throughput quota (on-demand)',
    limit: '40,000 WRU/s and 40,000 RRU/s per table (adjustable); a new on-demand table sustains 4,000 WRU/s and 12,000 RRU/s at once and doubles its previous peak within 30 minutes',
    source: '"Quotas in Amazon DynamoDB" (Throughput default quotas); "DynamoDB on-demand capacity mode" (Initial throughput and scaling properties); "Pre-warming a table for on-demand capacity mode"',
    perCall: `${sig(tableWruPerCall)} WRU and ${sig(tableRruPerCall)} RRU (API and consumers, measured units by AWS rules)`,
    users: usersAt(40_000 / Math.max(tableWruPerCall, tableRruPerCall)),
    reachedAt: `table quota: ${n(40_000 / Math.max(tableWruPerCall, tableRruPerCall))} calls/s = ${users(usersAt(40_000 / Math.max(tableWruPerCall, tableRruPerCall)))} users; a new table: ${n(4_000 / tableWruPerCall)} calls/s, which the 200-buyer burst (${n(2_000 * (inputs.capacity['create request']?.writeUnits ?? 9) / 2)} WRU/s if 2,000 creates land in 2 s) exceeds`,
    action: 'Before launch, set the table\'s warm throughput to the expected peak (TableV2 warmThroughput, "Understanding DynamoDB warm throughput"); request the table quota well before ~1 M users.',
  },
  {
    name: 'Lambda concurrency',
    limit: '1,000 concurrent executions per account and region (adjustable); each function scales by 1,000 environments every 10 s',
    source: '"Understanding Lambda function scaling"; "Lambda scaling behavior"',
    perCall: `${sig(lambdaSecondsPerCall * 1000)} ms of execution (API ${sig(inputs.apiLambdaMs)} ms, plus the verifier, builder and worker shares)`,
    reachedAt: `${n(1000 / lambdaSecondsPerCall)} calls/s = ${users(usersAt(1000 / lambdaSecondsPerCall))} users at the measured (upper-bound) durations; stream consumers add 3 per shard (${u.streamShards} shards at 1 M users)`,
    users: usersAt(1000 / lambdaSecondsPerCall),
    action:
      'Ask for more concurrency with the API Gateway quota. The sharper risk is a long consumer taking the account\'s concurrency: the pack builder\'s SQS event source has no maximum concurrency and a 2 GB pack runs minutes, so a burst of large packs could leave the API functions throttled (502s). Set maxConcurrency on the pack builder\'s and the webhook worker\'s event sources and reserved concurrency on the file verifier (not done today).',
  },
  {
    name: 'DynamoDB Streams readers per shard',
    limit: 'no more than two processes reading one shard at the same time',
    source: '"Change data capture for DynamoDB Streams" (as recalled: more readers are throttled)',
    perCall: '-',
    reachedAt: 'already at the limit: the archiver and the notifier',
    action: 'A third consumer needs fan-out (Kinesis Data Streams for DynamoDB, or EventBridge Pipes from the notifier), not a third event source mapping.',
  },
  {
    name: 'SES sending quota',
    limit: 'per account, granted with production access by use case (sandbox: 200 a day, 1 a second)',
    source: '"Service quotas in Amazon SES"',
    perCall: `${sig(u.emails)} e-mails (every member of the receiving org, each event)`,
    reachedAt: `at 10 k users: ${n(models[1]!.quantities.emailsPerMonth! / USER_ASSUMPTIONS.workingDaysPerMonth)} a day, ${n(models[1]!.rate.peakCallsPerSecond * u.emails)}/s at peak; at 1 M: ${n(big.quantities.emailsPerMonth! / USER_ASSUMPTIONS.workingDaysPerMonth)} a day, ${n(big.rate.peakCallsPerSecond * u.emails)}/s`,
    action: 'Ask for the quota these figures need before each step; a refused send fails the notifier\'s batch, which retries (bisecting) and then goes to its failure queue, so mail lags rather than vanishes. A digest (one mail per member per request and day) would cut volume and cost several-fold (below).',
  },
  {
    name: 'Athena workgroup scan cutoff',
    limit: `${n(PROD_RETENTION.athenaCutoffBytes / 1024 ** 3)} GiB per query (prod, lib/stages.ts)`,
    source: 'own setting; "Amazon Athena pricing" for what a scan costs',
    perCall: `${sig(u.auditEvents * inputs.archiveGzipBytesPerEvent)} gzip bytes of audit archive`,
    reachedAt: `a ${USER_ASSUMPTIONS.athenaQueryDays}-day query over every tenant reaches it at ${users(athenaCutoffUsers)} users`,
    users: athenaCutoffUsers,
    action: 'Partition projection on dt keeps a query to its days; past that size auditors narrow the days, or the export compacts to Parquet with a tenant partition (ARCHITECTURE.md lists compaction; not built).',
  },
];

// ---- the document --------------------------------------------------------------------------
const out: string[] = [];
const line = (s = '') => out.push(s);
const scaleHeads = SCALES.map((s) => `${users(s)} users`);

line('# Cost model: 100, 10,000 and 1,000,000 active users');
line();
line(`Generated by \`npx tsx bin/cost-model.ts --write\` (region ${region}, the prod stage's); do not edit by hand: change the`);
line('assumptions in `bench/cost.ts` (prices, traffic mix, users) or `bench/cost-model.ts` (storage, retention) and regenerate.');
line('The same per-call model prices `npm run bench`\'s "cost/M calls" rows, so the two cannot drift apart.');
line();
line('**What the figures are.** Prices are AWS list prices *recalled* for ' + PRICES.date + ' (this project\'s machines have no network):');
line('each names its pricing page below, and none was re-read for this document. Usage comes from three places, each marked:');
line('measured by `npm run bench` (DynamoDB units per operation by AWS\'s documented rules, durations, archive batching), counted');
line('from the code (which table calls each consumer makes, what the stacks deploy), or stated here as an assumption (how users');
line('work, the traffic mix). Free tiers are not subtracted. Months are 30 days; storage is shown after 12 months at each size.');
line();
line('## Measured inputs and their sources');
line();
line(header(['input', 'value', 'source'], false));
for (const key of Object.keys(INPUT_LABELS) as (keyof typeof INPUT_LABELS)[]) line(row([INPUT_LABELS[key].label, `${sig(inputs[key])} ${INPUT_LABELS[key].unit}`, sources[key]]));
line(row(['DynamoDB units per API operation (table below)', `${Object.keys(inputs.capacity).length} operations`, sources.capacity]));
line();
line('Result files under bench/results/ stay on the machine that ran the bench (git-ignored); `bench/cost-inputs.ts` keeps the figures of');
line('the 2026-12-02 run as stated defaults, so a fresh clone regenerates the same document. The durations were measured against');
line('DynamoDB Local and local HTTP on a shared 2-core machine under load: read them as upper bounds for Lambda billed durations.');
line();
line('## Assumptions per user');
line();
line(header(['assumption', 'value'], false));
line(row(['API calls per active user per working day (console pages make 1-3 calls each)', USER_ASSUMPTIONS.callsPerWorkingDay]));
line(row(['working days a month; hours a day over which a region\'s users spread', `${USER_ASSUMPTIONS.workingDaysPerMonth}; ${USER_ASSUMPTIONS.activeHoursPerDay}`]));
line(row(['busiest hour over the working-hours mean', `${USER_ASSUMPTIONS.peakFactor}x`]));
line(row(['token refreshes per working day (15-minute access tokens; each runs the pre-token trigger)', USER_ASSUMPTIONS.tokensPerWorkingDay]));
line(row(['auditors among users; Athena queries each a month, each over days of archive', `${USER_ASSUMPTIONS.auditorShare * 100}%; ${USER_ASSUMPTIONS.athenaQueriesPerAuditorMonth}; ${USER_ASSUMPTIONS.athenaQueryDays}`]));
line(row(['every active user is a Cognito MAU; prod runs the Plus plan (threat protection)', PROD_RETENTION.cognitoPlan]));
line();
line(`The traffic mix is one evidence request of ${WORKLOAD.itemsPerRequest} items, its whole story (\`WORKLOAD\` in bench/cost.ts): ${sig(big.usage.callsPerRequest)} API calls,`);
line(`${WORKLOAD.uploadsPerRequest} new files of ${WORKLOAD.fileMiB} MiB (one item in four needs a new document; each is scanned by GuardDuty and verified),`);
line(`${WORKLOAD.downloadsPerRequest} file downloads, ${WORKLOAD.packsPerRequest} packs of ${WORKLOAD.packFiles} files (downloaded ${WORKLOAD.packDownloads}x), ${WORKLOAD.eventsPerRequest} product events`);
line(`(created 1, fulfilled 3, reviewed 3, comment 1, pack ready 0.1, reminders 0.5), each to ${WORKLOAD.recipientsPerEvent} members with e-mail (inbox + e-mail each)`);
line(`and to ${WORKLOAD.webhooksPerEvent} webhooks. Per 1,000 calls: ${sig(u.uploads * 1000)} uploads, ${sig(u.packs * 1000)} packs, ${sig(u.events * 1000)} events, ${sig(u.emails * 1000)} e-mails.`);
line();
line(header(['call', 'per request', 'priced as (capacity bench operation)', 'WRU', 'RRU'], false));
for (const o of WORKLOAD.operations as readonly MixOperation[]) {
  const c = inputs.capacity[o.measuredAs];
  line(row([o.name, o.perRequest, o.measuredAs, c ? `${c.writeUnits}${o.extraWriteUnits ? ` + ${o.extraWriteUnits}` : ''}` : 'not measured', c ? c.readUnits : '-']));
}
line();
line('## A month at each size');
line();
line(header(['', ...scaleHeads]));
const q = (label: string, key: string, digits = 0, unit = '') => line(row([label, ...models.map((m) => `${n(m.quantities[key]!, digits)}${unit}`)]));
line(row(['API calls a month', ...models.map((m) => n(m.rate.callsPerMonth))]));
line(row(['calls/s: working-hours mean / busiest hour', ...models.map((m) => `${sig(m.rate.callsPerSecond)} / ${sig(m.rate.peakCallsPerSecond)}`)]));
q('evidence requests', 'requestsPerMonth');
q('audit events', 'auditEventsPerMonth');
q('table stream records', 'streamRecordsPerMonth');
q('product events', 'eventsPerMonth');
q('e-mails (SES)', 'emailsPerMonth');
q('files uploaded and verified', 'uploadsPerMonth');
q('packs built', 'packsPerMonth');
q('archive objects (S3 PUTs)', 'archiveObjectsPerMonth');
q('archive added (gzip JSON lines)', 'archiveGbPerMonth', 2, ' GB');
q('archive held after 12 months (Object Lock)', 'archiveGbStored', 1, ' GB');
q('evidence files held after 12 months', 'evidenceGbStored', 0, ' GB');
q('table (with indexes) after 12 months', 'tableGb', 1, ' GB');
q('files downloaded (data transfer out)', 'filesOutGbPerMonth', 0, ' GB');
line(row(['Athena: queries; GB scanned each', ...models.map((m) => `${n(m.quantities.athenaQueries!)}; ${sig(m.quantities.athenaGbPerQuery!)}`)]));
line(row(['archiver records per invocation (5 s window)', ...models.map((m) => sig(m.usage.archiverRecordsPerInvocation))]));
line();
line(`## Cost a month (${region}, USD)`);
line();
line(header(['line', ...scaleHeads]));
const groups = ['calls', 'storage and backups', 'users and queries', 'fixed'] as const;
for (const group of groups) {
  const labels = models[0]!.lines.filter((l) => l.group === group).map((l) => l.label);
  for (const label of labels) line(row([label, ...models.map((m) => usd(m.lines.find((l) => l.label === label)!.dollars))]));
  line(row([`**${group}**`, ...models.map((m) => `**${usd(m.lines.filter((l) => l.group === group).reduce((a, l) => a + l.dollars, 0))}**`)]));
}
line(row(['**total a month**', ...models.map((m) => `**${usd(m.total)}**`)]));
line(row(['per active user', ...models.map((m) => usd(m.perUser))]));
line(row([`total in ${otherRegion}`, ...otherModels.map((m) => usd(m.total))]));
line(row([`per million calls (every function, ${region}); target $${COST_TARGET_PER_MILLION}`, ...models.map((m) => usd(m.quantities.costPerMillionCalls!))]));
line(row(['per million calls, API path only', ...models.map((m) => usd(costPerMillion(region, m.usage).apiPath))]));
line();
line('API Gateway is priced through its monthly tiers (REST ' + API_GATEWAY_TIERS.rest.map(([size, p]) => `$${p}${Number.isFinite(size) ? ` up to ${users(size)}` : ''}`).join(', ') + ' per million);');
line('everything else at first-tier list prices.');
line();

// Where the money goes, with the alternatives computed the same way.
const share = (m: MonthlyModel, label: string) => m.lines.find((l) => l.label.startsWith(label))!.dollars / m.total;
const top = [...big.lines].sort((a, b) => b.dollars - a.dollars).slice(0, 6);
const shortTtl = monthlyModel(region, SCALES[2], inputs, { retention: { ...PROD_RETENTION, auditTtlDays: 7 } });
const coldWeekly = monthlyModel(region, SCALES[2], inputs, { retention: { ...PROD_RETENTION, weeklyBackups: 4 } });
const digest = monthlyModel(region, SCALES[2], inputs, { workload: { ...WORKLOAD, mailedShare: 2 / WORKLOAD.eventsPerRequest } });
const restAt1M = tieredCost(big.rate.callsPerMonth, API_GATEWAY_TIERS.rest);
const httpAt1M = tieredCost(big.rate.callsPerMonth, API_GATEWAY_TIERS.http);
line('## Where the money goes at 1 M users, and what would change it');
line();
line(header(['largest lines at 1 M users', 'a month', 'share']));
for (const l of top) line(row([l.label, usd(l.dollars), `${n((l.dollars / big.total) * 100)}%`]));
line();
line(`- **Backups of the table** (${n(share(big, 'AWS Backup of the table') * 100)}%) and the **daily native exports** (${n(share(big, 'daily native table export') * 100)}%): the table holds ${PROD_RETENTION.auditTtlDays} days of audit events`);
line(`  (${n(big.quantities.tableBaseGb!)} GB of its ${n(big.quantities.tableGb!)} GB), and every AWS Backup recovery point of a DynamoDB table is a full copy (the AWS Backup page "Backup plans" warns that`);
line(`  types without incremental support store a full copy each time; DynamoDB is one, as recalled), kept ${PROD_RETENTION.dailyBackups} daily + ${PROD_RETENTION.weeklyBackups} weekly, in two regions; the exports copy it whole every day for a year.`);
line(`  The archive already keeps those events under Object Lock. With a 7-day audit TTL the month would be ${usd(shortTtl.total)} instead of ${usd(big.total)};`);
line(`  keeping 4 weekly points instead of ${PROD_RETENTION.weeklyBackups}, ${usd(coldWeekly.total)}. Both are retention decisions for the owner, not made here.`);
line(`- **E-mail** (${n(share(big, 'SES e-mail') * 100)}%): every member of the receiving org gets a mail per event. A daily digest (about two mails per request) would make SES ${usd(digest.lines.find((l) => l.label === 'SES e-mail')!.dollars)} a month instead of ${usd(big.lines.find((l) => l.label === 'SES e-mail')!.dollars)}.`);
line(`- **Cognito Plus** (${n(share(big, 'Cognito') * 100)}%): $${PRICES.regions[region].cognitoPlusPerMau} per MAU for threat protection; Essentials is $${PRICES.regions[region].cognitoEssentialsPerMau} above ${n(PRICES.regions[region].cognitoEssentialsFreeMau)} free MAUs.`);
line(`- **Athena**: auditors scanning 30 days of every tenant's audit (${sig(big.quantities.athenaGbPerQuery!)} GB a query at 1 M users); partitioning the archive by tenant, or Parquet, would cut scans by orders of magnitude.`);
line(`- **API Gateway**: REST costs ${usd(restAt1M)} a month at 1 M users; an HTTP API would cost ${usd(httpAt1M)}, but the product relies on REST-only features (docs/api-gateway.md).`);
line(`- **Files out** (${n(share(big, 'data transfer out: evidence') * 100)}%): ${n(big.quantities.filesOutGbPerMonth!)} GB of evidence and packs a month at $${PRICES.regions[region].dataTransferOutPerGb}/GB; CloudFront in front of the downloads would price them at CloudFront's rates.`);
line();
line('## Design limits: where each is reached first');
line();
const ordered = limits.filter((l) => l.users !== undefined).sort((a, b) => a.users! - b.users!);
line('Users are converted to calls per second at their busiest hour (' + `${sig(perUserPeak * 1000)} calls/s per 1,000 users` + '). For steady traffic, in order:');
line(ordered.map((l) => `${l.name.replace(/ \(.*\)$/, '')} at ${users(l.users!)} users`).join('; ') + '.');
line('Earlier than any of these: a burst against one tenant\'s partitions, a new table\'s warm throughput (the 200-buyer burst), and SES\'s');
const mailsPerUserDay = (u.emails * rateAt(1).callsPerMonth) / USER_ASSUMPTIONS.workingDaysPerMonth;
line(`account quota: at ${sig(mailsPerUserDay)} e-mails per user and working day, a sandbox account (200 a day) is outgrown at ${n(200 / mailsPerUserDay)} users, and`);
line('production quotas are granted per account and use case, so each step in users needs its own request.');
line();
line(header(['limit', 'value', 'AWS source', 'per call', 'reached at', 'what the product does'], false));
for (const l of limits) line(row([l.name, l.limit, l.source, l.perCall, l.reachedAt, l.action]));
line();
line('## Prices and their pages');
line();
line(`As recalled for ${PRICES.date}, USD, first tier; ${region} (and ${otherRegion} where it differs, in bench/cost.ts). Not re-read by any run.`);
line();
for (const [key, source] of Object.entries(PRICE_SOURCES)) line(`- ${key}: ${source}`);
line();
line(`Fixed setup counted from the synthesized prod stacks (test/infra/cost-inputs.test.ts keeps bench/cost.ts in step): ${FIXED_SETUP.wafRules} WAF rules, ${FIXED_SETUP.kmsKeys} KMS keys,`);
line(`${FIXED_SETUP.alarms} alarms, ${FIXED_SETUP.dashboards} dashboard; item sizes stated in bench/cost-model.ts (audit item ${ITEM_BYTES.audit} B, index entry ${ITEM_BYTES.indexEntry} B).`);
line(`Line items of the per-call model: ${LINE_ITEMS.map((l) => l.label).join('; ')}.`);

const text = `${out.join('\n')}\n`;
if (values.write) {
  writeFileSync(join(ROOT, 'docs', 'cost-model.md'), text);
  process.stderr.write('written to docs/cost-model.md\n');
} else {
  process.stdout.write(text);
}
