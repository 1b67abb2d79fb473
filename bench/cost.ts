/**
 * What the product costs in AWS: per million API calls (printed by `npm run bench`) and per
 * month at a given number of active users (`npx tsx bin/cost-model.ts`, docs/cost-model.md).
 *
 * Three kinds of input, kept apart so each figure says where it comes from:
 * - PRICES: AWS list prices, recalled (this machine has no network), each with the pricing page
 *   it comes from and the month it was recalled for. Not re-read by any run.
 * - WORKLOAD: the traffic mix, stated: which API calls one evidence request brings with it, and
 *   the asynchronous work they cause (uploads verified, packs built, events notified).
 * - MeasuredInputs: what the bench measures (DynamoDB units per operation, handler and consumer
 *   durations, archive batching), passed in by the caller (bench/cost-inputs.ts says from where).
 *
 * Every function of the product is priced: the API route groups, the archiver, the notifier,
 * the webhook worker, the file verifier, the pack builder, the reminder sweep and the hourly
 * export; plus the services they call (S3, KMS, SQS, SES, GuardDuty, data transfer, logs, traces).
 */

export interface RegionPrices {
  /** Lambda arm64, per GB-second (first tier) and per million requests. */
  readonly lambdaArmPerGbSecond: number;
  readonly lambdaPerMillionRequests: number;
  /** API Gateway, per million requests: REST (first 333 million a month), HTTP API (first 300 million). */
  readonly apiGatewayRestPerMillion: number;
  readonly apiGatewayHttpPerMillion: number;
  /** DynamoDB on-demand (Standard table class), per million request units; storage, PITR and backups per GB-month; export and restore per GB. */
  readonly dynamoWriteRequestUnitPerMillion: number;
  readonly dynamoReadRequestUnitPerMillion: number;
  readonly dynamoStoragePerGbMonth: number;
  readonly dynamoPitrPerGbMonth: number;
  readonly dynamoBackupPerGbMonth: number;
  readonly dynamoExportPerGb: number;
  readonly dynamoRestorePerGb: number;
  /** AWS WAF: per million requests inspected; per web ACL and per rule a month. */
  readonly wafPerMillionRequests: number;
  readonly wafPerWebAclMonth: number;
  readonly wafPerRuleMonth: number;
  /** KMS: symmetric requests per 10,000; asymmetric (Sign) per 10,000; per key a month. */
  readonly kmsPer10kRequests: number;
  readonly kmsAsymmetricPer10kRequests: number;
  readonly kmsPerKeyMonth: number;
  /** CloudWatch: Logs ingestion (standard class, also WAF's vended logs) per GB and storage per GB-month; a standard alarm and a dashboard a month. */
  readonly logsIngestPerGb: number;
  readonly logsStoragePerGbMonth: number;
  readonly alarmPerMonth: number;
  readonly dashboardPerMonth: number;
  /** X-Ray, per million traces recorded. */
  readonly xrayPerMillionTraces: number;
  /** S3: PUT/COPY/POST/LIST per 1,000; GET per 1,000; Standard and Glacier Instant Retrieval per GB-month; lifecycle transitions to Glacier IR per 1,000. */
  readonly s3PutPer1k: number;
  readonly s3GetPer1k: number;
  readonly s3StandardPerGbMonth: number;
  readonly s3GlacierIrPerGbMonth: number;
  readonly s3TransitionToGlacierIrPer1k: number;
  /** AWS Backup for S3 (warm) per GB-month; data transfer between regions per GB (backup copies). */
  readonly backupS3PerGbMonth: number;
  readonly interRegionTransferPerGb: number;
  /** SQS standard, per million requests; SES, per 1,000 e-mails; data transfer out to the internet, per GB (first 10 TB). */
  readonly sqsStandardPerMillionRequests: number;
  readonly sesPerThousandEmails: number;
  readonly dataTransferOutPerGb: number;
  /** Cognito user pools: Essentials per MAU above its free MAUs, Plus per MAU (no free tier). */
  readonly cognitoEssentialsPerMau: number;
  readonly cognitoEssentialsFreeMau: number;
  readonly cognitoPlusPerMau: number;
  /** Athena SQL, per TB scanned (10 MB minimum per query). */
  readonly athenaPerTbScanned: number;
  /** GuardDuty Malware Protection for S3: per GB scanned and per 1,000 objects evaluated. */
  readonly guardDutyS3PerGbScanned: number;
  readonly guardDutyS3Per1kObjects: number;
}

/** The pricing page each price comes from. */
export const PRICE_SOURCES: Readonly<Record<string, string>> = {
  lambda: 'AWS Lambda pricing, https://aws.amazon.com/lambda/pricing/ (Arm, first tier)',
  apiGateway:
    'Amazon API Gateway pricing, https://aws.amazon.com/api-gateway/pricing/; the REST tiers (3.50 / 2.80 / 2.38 / 1.51) and HTTP (1.00 / 0.90) are also in the AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs and Private Integration", section Cost optimization',
  dynamodb: 'Amazon DynamoDB pricing for on-demand capacity, https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the 2024-11-01 reduction)',
  waf: 'AWS WAF pricing, https://aws.amazon.com/waf/pricing/',
  kms: 'AWS Key Management Service pricing, https://aws.amazon.com/kms/pricing/',
  cloudwatch: 'Amazon CloudWatch pricing, https://aws.amazon.com/cloudwatch/pricing/ (Logs standard class; vended WAF logs at the same first tier)',
  xray: 'AWS X-Ray pricing, https://aws.amazon.com/xray/pricing/',
  s3: 'Amazon S3 pricing, https://aws.amazon.com/s3/pricing/',
  backup: 'AWS Backup pricing, https://aws.amazon.com/backup/pricing/; EC2 data transfer between regions, https://aws.amazon.com/ec2/pricing/on-demand/',
  sqs: 'Amazon SQS pricing, https://aws.amazon.com/sqs/pricing/',
  ses: 'Amazon SES pricing, https://aws.amazon.com/ses/pricing/ (outbound e-mail)',
  dataTransfer: 'Amazon EC2 on-demand pricing, data transfer out to the internet, https://aws.amazon.com/ec2/pricing/on-demand/',
  cognito: 'Amazon Cognito pricing, https://aws.amazon.com/cognito/pricing/ (user pools, feature plans since 2024-11)',
  athena: 'Amazon Athena pricing, https://aws.amazon.com/athena/pricing/ (SQL queries, per TB scanned)',
  guardDuty:
    'Amazon GuardDuty pricing, https://aws.amazon.com/guardduty/pricing/ (Malware Protection for S3). LOW CONFIDENCE: recalled after the 2025 price cut; the GuardDuty user guide page "Pricing and usage cost for Malware Protection for S3" confirms the two meters (objects evaluated, GB scanned) but not these figures',
};

/** Prices that both regions list alike (as recalled). */
const LISTED_ALIKE = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  apiGatewayRestPerMillion: 3.5,
  // Recalled for us-east-1; eu-west-1 is taken as the same (not recalled separately).
  apiGatewayHttpPerMillion: 1.0,
  wafPerMillionRequests: 0.6,
  wafPerWebAclMonth: 5,
  wafPerRuleMonth: 1,
  kmsPer10kRequests: 0.03,
  kmsAsymmetricPer10kRequests: 0.15,
  kmsPerKeyMonth: 1,
  logsStoragePerGbMonth: 0.03,
  alarmPerMonth: 0.1,
  dashboardPerMonth: 3,
  xrayPerMillionTraces: 5,
  s3PutPer1k: 0.005,
  s3GetPer1k: 0.0004,
  s3StandardPerGbMonth: 0.023,
  s3GlacierIrPerGbMonth: 0.004,
  s3TransitionToGlacierIrPer1k: 0.02,
  backupS3PerGbMonth: 0.05,
  interRegionTransferPerGb: 0.02,
  sqsStandardPerMillionRequests: 0.4,
  sesPerThousandEmails: 0.1,
  dataTransferOutPerGb: 0.09,
  cognitoEssentialsPerMau: 0.015,
  cognitoEssentialsFreeMau: 10_000,
  cognitoPlusPerMau: 0.02,
  athenaPerTbScanned: 5,
  guardDutyS3PerGbScanned: 0.09,
  guardDutyS3Per1kObjects: 0.215,
} as const;

/**
 * List prices, USD, as recalled for 2025-11: not read from the pages by any run (no network
 * here), so treat each as a recollection to check against its page (PRICE_SOURCES) before a
 * decision rests on it. DynamoDB in eu-west-1: request units and storage recalled; PITR,
 * backup, export and restore scaled from us-east-1 by the same 1.13 ratio (not recalled).
 */
export const PRICES = {
  source: 'AWS pricing pages as recalled (no network): see PRICE_SOURCES in bench/cost.ts',
  date: '2025-11',
  regions: {
    'us-east-1': {
      ...LISTED_ALIKE,
      dynamoWriteRequestUnitPerMillion: 0.625,
      dynamoReadRequestUnitPerMillion: 0.125,
      dynamoStoragePerGbMonth: 0.25,
      dynamoPitrPerGbMonth: 0.2,
      dynamoBackupPerGbMonth: 0.1,
      dynamoExportPerGb: 0.1,
      dynamoRestorePerGb: 0.15,
      logsIngestPerGb: 0.5,
    },
    'eu-west-1': {
      ...LISTED_ALIKE,
      dynamoWriteRequestUnitPerMillion: 0.70675,
      dynamoReadRequestUnitPerMillion: 0.1415,
      dynamoStoragePerGbMonth: 0.283,
      dynamoPitrPerGbMonth: 0.2264,
      dynamoBackupPerGbMonth: 0.1132,
      dynamoExportPerGb: 0.1132,
      dynamoRestorePerGb: 0.1698,
      logsIngestPerGb: 0.57,
    },
  } satisfies Record<string, RegionPrices>,
} as const;

export type Region = keyof typeof PRICES.regions;
export const REGIONS = Object.keys(PRICES.regions) as Region[];

/** API Gateway's monthly volume tiers (requests per month, price per million), first tier first. */
export const API_GATEWAY_TIERS = {
  rest: [
    [333e6, 3.5],
    [667e6, 2.8],
    [19e9, 2.38],
    [Infinity, 1.51],
  ],
  http: [
    [300e6, 1.0],
    [Infinity, 0.9],
  ],
} as const satisfies Record<string, readonly (readonly [number, number])[]>;

/** Dollars for a month's requests through tiered pricing. */
export function tieredCost(requests: number, tiers: readonly (readonly [number, number])[]): number {
  let left = requests;
  let dollars = 0;
  for (const [size, perMillion] of tiers) {
    const here = Math.min(left, size);
    dollars += (here / 1e6) * perMillion;
    left -= here;
    if (left <= 0) break;
  }
  return dollars;
}

/**
 * Log bytes each API call ingests into CloudWatch Logs, estimated from the configuration
 * (not measured): the API Gateway access log line of lib/api.ts filled with typical values,
 * and the WAF log record of one request (headers, rule matches; AWS documents 1-2 KB). The
 * functions log JSON at INFO with system logs at WARN: a served call writes no line (only
 * denials do), and Lambda's START/END/REPORT lines are off.
 */
export const LOG_BYTES_PER_CALL = { apiGatewayAccess: 450, waf: 1_500, lambda: 0 } as const;

/** Memory (MB) of each function, as lib/ sets it (test/infra/cost-inputs.test.ts checks they match the synthesized stacks). */
export const FUNCTION_MEMORY_MB = {
  api: 1024,
  archiver: 1024,
  notifier: 512,
  webhookWorker: 512,
  fileVerifier: 512,
  packBuilder: 512,
  reminders: 512,
  export: 1024,
} as const;

/** One kind of API call in the traffic mix. */
export interface MixOperation {
  /** What the user does. */
  readonly name: string;
  /** Calls per evidence request (one request's whole story, reads around it included). */
  readonly perRequest: number;
  /** The `npm run bench` capacity operation whose measured units this call costs (a stand-in where it is not measured itself). */
  readonly measuredAs: string;
  /** Items the call changes besides its audit event (stream records). */
  readonly changedItems: number;
  /** Whether the call writes an audit event (every API call but `GET /v1/me`). @default true */
  readonly audited?: boolean;
  /** Write units the stand-in misses, and why. */
  readonly extraWriteUnits?: number;
}

/**
 * The stated traffic mix, derived from the product's workflow (README "The API", the console
 * screens of web/src): one evidence request of three items, from creation to acceptance, with
 * the reads and the asynchronous work around it. Every per-call figure is this story divided
 * by its calls. Change a number here and both the bench and the cost model follow.
 */
export const WORKLOAD = {
  itemsPerRequest: 3,
  operations: [
    // Half the requests carry a due date (two more index entries, and the reminders).
    { name: 'create request (buyer)', perRequest: 0.5, measuredAs: 'create request', changedItems: 1 },
    { name: 'create request with a due date (buyer)', perRequest: 0.5, measuredAs: 'create request with a due date', changedItems: 1 },
    // A factory's library covers most items; one item in four needs a new document (evidence + version + file).
    { name: 'create evidence with its file (factory)', perRequest: 0.75, measuredAs: 'create evidence', changedItems: 2 },
    { name: 'fulfil item (factory)', perRequest: 3, measuredAs: 'fulfil item', changedItems: 2 },
    { name: 'review item (buyer)', perRequest: 3, measuredAs: 'review item', changedItems: 1 },
    { name: 'comment', perRequest: 1, measuredAs: 'create request', changedItems: 1 },
    { name: 'mark a notification read', perRequest: 2, measuredAs: 'read request (an audited read)', changedItems: 1, extraWriteUnits: 1 },
    // Pack items (pack, shared copy, one grant per version) are written in one transaction: 2 WRU per grant beyond the stand-in.
    { name: 'create pack (factory, 20 versions)', perRequest: 0.1, measuredAs: 'create request', changedItems: 22, extraWriteUnits: 40 },
    { name: 'get request', perRequest: 12, measuredAs: 'read request (an audited read)', changedItems: 0 },
    { name: 'list requests, buyer (a page)', perRequest: 4, measuredAs: 'list requests (buyer, page of 20)', changedItems: 0 },
    { name: 'list requests, factory (a page)', perRequest: 4, measuredAs: 'list requests (factory, page of 20)', changedItems: 0 },
    { name: 'request history', perRequest: 1, measuredAs: 'list request history (page of 20)', changedItems: 0 },
    { name: 'list comments', perRequest: 2, measuredAs: 'list request history (page of 20)', changedItems: 0 },
    { name: 'get or list evidence', perRequest: 6, measuredAs: 'read request (an audited read)', changedItems: 0 },
    { name: 'file download URL', perRequest: 3, measuredAs: 'read request (an audited read)', changedItems: 0 },
    // The console polls an evidence page every second while its file is PENDING_UPLOAD (web/src/screens/evidence-page.tsx), a pack page while PENDING.
    { name: 'evidence page polled during verification', perRequest: 1.5, measuredAs: 'read request (an audited read)', changedItems: 0 },
    { name: 'pack page polled during the build', perRequest: 0.3, measuredAs: 'read request (an audited read)', changedItems: 0 },
    // The inbox is one user's partition: priced as a one-partition page.
    { name: 'notifications inbox (a page)', perRequest: 4, measuredAs: 'list request history (page of 20)', changedItems: 0 },
    { name: 'GET /v1/me (console start)', perRequest: 4, measuredAs: 'read request (an audited read)', changedItems: 0, audited: false },
    { name: 'audit log page (auditor)', perRequest: 0.5, measuredAs: 'list audit events (every tenant, page of 20)', changedItems: 0 },
  ] satisfies MixOperation[],
  /** New files uploaded per request (each: a presigned PUT, a GuardDuty scan, a verifier run). */
  uploadsPerRequest: 0.75,
  /** Mean evidence file size (PDF reports and certificates; the API caps a file at 100 MiB). */
  fileMiB: 1,
  /** Evidence files downloaded per request (the buyer opens each fulfilled item once). */
  downloadsPerRequest: 3,
  packsPerRequest: 0.1,
  packFiles: 20,
  /** Each pack ZIP is downloaded this many times (by the buyer, or through a share link). */
  packDownloads: 1,
  /** Product events per request: request.created 1, item.fulfilled 3, item.reviewed 3, comment.created 1, pack.ready 0.1, reminders (due-soon, overdue) 0.5. */
  eventsPerRequest: 8.6,
  /** Reminder markers per request (the daily sweep writes one per reminder; the notifier sends it). */
  remindersPerRequest: 0.5,
  /** Active members with an e-mail address in the receiving organisation: each gets an inbox entry and an e-mail per event (core/use-cases/notifications.ts). */
  recipientsPerEvent: 2,
  /** Share of inbox entries that are also e-mailed (the product mails every one; a daily digest would mail far fewer). */
  mailedShare: 1,
  /** Subscribed webhooks per event (one organisation in five subscribes). */
  webhooksPerEvent: 0.2,
  /** Mean API answer body and headers, bytes (lists are larger, single items smaller). */
  responseBytes: 2_000,
  /** Gzip bytes of an archived change record (a changes/ line holds both images), relative to an audit event's. */
  changeRecordToAuditBytes: 2,
  /** X-Ray's default sampling rule: the first request each second, then 5% (consumers likewise). */
  xraySampled: 0.05,
} as const;

/** Figures the bench measures; bench/cost-inputs.ts fills them from this run, the last result file, or stated defaults. */
export interface MeasuredInputs {
  /** Write units (by AWS's documented rules for the items written) and read units per capacity operation (`npm run bench` capacity section). */
  readonly capacity: Readonly<Record<string, { readonly writeUnits: number; readonly readUnits: number }>>;
  /** Billed duration of one API invocation, ms. */
  readonly apiLambdaMs: number;
  /** Archiver: S3 PUTs per invocation (audit and changes objects), mean ms per invocation, gzip bytes per archived audit event. */
  readonly archivePutsPerInvocation: number;
  readonly archiverMs: number;
  readonly archiveGzipBytesPerEvent: number;
  /** Notifier handler ms per notified event (its two stream records included), webhook worker ms per delivery. */
  readonly notifierMsPerEvent: number;
  readonly workerMsPerDelivery: number;
  /** Pack build time for 100 files of 1 MiB (ms): the builder's throughput. */
  readonly packBuild100MiBMs: number;
}

/** How fast records arrive at the stream consumers, which sets their batch sizes. */
export interface TrafficRate {
  /** Mean API calls per second while users work. */
  readonly callsPerSecond: number;
}

/** Usage of every metered thing, per API call. */
export interface PerCallUsage {
  readonly calls: 1;
  readonly callsPerRequest: number;
  readonly writeUnitsApi: number;
  readonly readUnitsApi: number;
  readonly writeUnitsConsumers: number;
  readonly readUnitsConsumers: number;
  readonly streamRecords: number;
  readonly auditEvents: number;
  readonly events: number;
  readonly emails: number;
  readonly webhookDeliveries: number;
  readonly uploads: number;
  readonly packs: number;
  /** Lambda: invocations and GB-seconds per function. */
  readonly lambda: Readonly<Record<keyof typeof FUNCTION_MEMORY_MB, { readonly invocations: number; readonly gbSeconds: number }>>;
  readonly archiverRecordsPerInvocation: number;
  readonly notifierRecordsPerInvocation: number;
  readonly streamShards: number;
  readonly archivePuts: number;
  readonly archiveBytes: number;
  readonly s3PutsFiles: number;
  readonly s3GetsFiles: number;
  readonly s3GetsExport: number;
  readonly kmsRequests: number;
  readonly kmsSigns: number;
  readonly sqsRequests: number;
  readonly guardDutyObjects: number;
  readonly guardDutyGb: number;
  readonly bytesOutApi: number;
  readonly bytesOutFiles: number;
  readonly logBytes: number;
  readonly traces: number;
  /** Operations of the mix with no measured capacity figure (priced at zero units). */
  readonly unmeasured: readonly string[];
}

const MIB = 1024 ** 2;
const GB = 1024 ** 3;
/** A stream shard takes about 1,000 writes a second (one table partition); the product's table has at least one. */
const WRITES_PER_SHARD = 1_000;
/** The archiver's batching window and batch size (lib/stateless-stack.ts), the notifier's batch size; Lambda polls a shard 4 times a second. */
export const STREAM_CONSUMERS = { archiverWindowSeconds: 5, archiverBatch: 1_000, notifierBatch: 100 } as const;
const ARCHIVER_WINDOW_S = STREAM_CONSUMERS.archiverWindowSeconds;
const ARCHIVER_BATCH = STREAM_CONSUMERS.archiverBatch;
const NOTIFIER_BATCH = STREAM_CONSUMERS.notifierBatch;
const STREAM_POLLS_PER_SECOND = 4;

/** The share of requests X-Ray's default rule samples at `perSecond`: one a second, then `rate` of the rest. */
export function sampledShare(perSecond: number, rate: number): number {
  if (perSecond <= 1) return 1;
  return (1 + rate * (perSecond - 1)) / perSecond;
}

/** Everything one API call of the mix uses, at a given rate (batch sizes of the stream consumers depend on it). */
export type Workload = { readonly [K in keyof typeof WORKLOAD]: (typeof WORKLOAD)[K] extends number ? number : (typeof WORKLOAD)[K] };

export function perCallUsage(measured: MeasuredInputs, rate: TrafficRate, workload: Workload = WORKLOAD): PerCallUsage {
  const w = workload;
  const ops = w.operations as readonly MixOperation[];
  const callsPerRequest = ops.reduce((n, o) => n + o.perRequest, 0);
  const perCall = (perRequest: number) => perRequest / callsPerRequest;
  const unmeasured: string[] = [];
  let writeUnitsApi = 0;
  let readUnitsApi = 0;
  let apiRecords = 0;
  let auditEvents = 0;
  for (const o of ops) {
    const units = measured.capacity[o.measuredAs];
    if (!units) unmeasured.push(`${o.name} (as ${o.measuredAs})`);
    writeUnitsApi += o.perRequest * ((units?.writeUnits ?? 0) + (o.extraWriteUnits ?? 0));
    readUnitsApi += o.perRequest * (units?.readUnits ?? 0);
    const audited = o.audited !== false ? 1 : 0;
    auditEvents += o.perRequest * audited;
    apiRecords += o.perRequest * (audited + o.changedItems);
  }
  writeUnitsApi /= callsPerRequest;
  readUnitsApi /= callsPerRequest;
  auditEvents /= callsPerRequest;

  const uploads = perCall(w.uploadsPerRequest);
  const packs = perCall(w.packsPerRequest);
  const events = perCall(w.eventsPerRequest);
  const reminders = perCall(w.remindersPerRequest);
  const recipients = events * w.recipientsPerEvent;
  const deliveries = events * w.webhooksPerEvent;
  // Consumers' own writes, each a stream record too: the verifier's file status + audit event,
  // the builder's signature, result + audit event, inbox entry + mailed mark per recipient,
  // queued mark per delivery and the worker's log entry + outcome, one marker per reminder.
  const consumerRecords = uploads * 2 + packs * 3 + recipients * 2 + deliveries * 3 + reminders;
  const streamRecords = perCall(apiRecords) + consumerRecords;
  const systemAuditEvents = uploads + packs;

  // Consumer table units, counted from their code: the verifier reads the evidence partition
  // (1 RRU) and commits status + audit in one transaction (priced as a review: one item update
  // and its audit event); the builder reads the pack (1) and each evidence (1 each), keeps the
  // signature (1 WRU) and commits its result like a review; the notifier and worker as in
  // notificationCostPerMillion; the sweep writes a marker (1 WRU); the archiver's batch ledger
  // a GetItem and a PutItem per batch; the export reads each hour's audit events back from the
  // every-tenant index for reconciliation (about 1 KB each, eventually consistent: 1/8 RRU).
  const review = measured.capacity['review item'] ?? { writeUnits: 0, readUnits: 0 };
  const consumerWrites = uploads * review.writeUnits + packs * (1 + review.writeUnits) + recipients * 2 + deliveries * 3 + reminders;
  const shards = Math.max(1, Math.ceil((rate.callsPerSecond * (writeUnitsApi + consumerWrites)) / WRITES_PER_SHARD));
  const recordsPerShardPerSecond = (rate.callsPerSecond * streamRecords) / shards;
  const archiverRecordsPerInvocation = Math.min(ARCHIVER_BATCH, Math.max(1, recordsPerShardPerSecond * ARCHIVER_WINDOW_S));
  const notifierRecordsPerInvocation = Math.min(NOTIFIER_BATCH, Math.max(1, recordsPerShardPerSecond / STREAM_POLLS_PER_SECOND));
  const archiverInvocations = streamRecords / archiverRecordsPerInvocation;
  const archivePutsPerInvocation = Math.min(measured.archivePutsPerInvocation, archiverRecordsPerInvocation);
  const archivePuts = archiverInvocations * archivePutsPerInvocation;
  const writeUnitsConsumers = consumerWrites + archiverInvocations;
  const readUnitsConsumers =
    uploads * 1 + packs * (1 + w.packFiles) + events * 1 + deliveries * 2 + archiverInvocations * 0.5 + (auditEvents + systemAuditEvents) * 0.125;
  const auditGzip = measured.archiveGzipBytesPerEvent;
  const archiveBytes = (auditEvents + systemAuditEvents) * auditGzip + (streamRecords - auditEvents - systemAuditEvents) * auditGzip * w.changeRecordToAuditBytes;

  const gbs = (invocations: number, ms: number, memory: number) => invocations * (Math.max(1, Math.ceil(ms)) / 1000) * (memory / 1024);
  const m = FUNCTION_MEMORY_MB;
  // The builder's throughput from the 100 x 1 MiB bench build; the verifier streams a file through SHA-256 at the same pace at most.
  const msPerMiB = measured.packBuild100MiBMs / 100;
  const packMs = 200 + msPerMiB * w.packFiles * w.fileMiB;
  const verifierMs = 50 + msPerMiB * w.fileMiB;
  // Notifier: the measured ms per notified event covers its two stream records (a request and its audit event).
  const notifierMsPerRecord = measured.notifierMsPerEvent / 2;
  const notifierInvocations = streamRecords / notifierRecordsPerInvocation;
  const lambda = {
    api: { invocations: 1, gbSeconds: gbs(1, measured.apiLambdaMs, m.api) },
    archiver: { invocations: archiverInvocations, gbSeconds: gbs(archiverInvocations, measured.archiverMs, m.archiver) },
    notifier: { invocations: notifierInvocations, gbSeconds: gbs(notifierInvocations, notifierMsPerRecord * notifierRecordsPerInvocation, m.notifier) },
    // The worker takes up to 10 messages a batch; at these rates a batch is usually one.
    webhookWorker: { invocations: deliveries, gbSeconds: gbs(deliveries, measured.workerMsPerDelivery, m.webhookWorker) },
    fileVerifier: { invocations: uploads, gbSeconds: gbs(uploads, verifierMs, m.fileVerifier) },
    packBuilder: { invocations: packs, gbSeconds: gbs(packs, packMs, m.packBuilder) },
    // The sweep's per-reminder work (a marker write, ~5 ms each) and the export's per-object hashing
    // (~2 ms per archived object); their fixed invocations are in fixedMonthly.
    reminders: { invocations: 0, gbSeconds: gbs(1, 5, m.reminders) * reminders },
    export: { invocations: 0, gbSeconds: gbs(1, 2, m.export) * archivePuts },
  };
  const packParts = Math.ceil((w.packFiles * w.fileMiB) / 8) + 2;
  return {
    calls: 1,
    callsPerRequest,
    writeUnitsApi,
    readUnitsApi,
    writeUnitsConsumers,
    readUnitsConsumers,
    streamRecords,
    auditEvents: auditEvents + systemAuditEvents,
    events,
    emails: recipients * w.mailedShare,
    webhookDeliveries: deliveries,
    uploads,
    packs,
    lambda,
    archiverRecordsPerInvocation,
    notifierRecordsPerInvocation,
    streamShards: shards,
    archivePuts,
    archiveBytes,
    // Upload PUT + GuardDuty's tag + the verifier's tag read; multipart pack parts.
    s3PutsFiles: uploads * 2 + packs * packParts,
    // Verifier GET + GuardDuty GET per upload; each download; the builder's GET per file; each pack download.
    s3GetsFiles: uploads * 2 + perCall(w.downloadsPerRequest) + packs * (w.packFiles + w.packDownloads),
    // The hourly export re-reads each archived object to hash it into the manifest.
    s3GetsExport: archivePuts,
    // Upper bound: one GenerateDataKey per archive PUT, as if S3 Bucket Keys were off (they are on:
    // evidence, packs and archive objects share a bucket-level key for hours).
    kmsRequests: archivePuts,
    kmsSigns: packs,
    // Pack job: send, receive, delete; webhook delivery: send, receive, delete.
    sqsRequests: packs * 3 + deliveries * 3,
    guardDutyObjects: uploads,
    guardDutyGb: (uploads * w.fileMiB * MIB) / GB,
    bytesOutApi: w.responseBytes,
    bytesOutFiles: (perCall(w.downloadsPerRequest) * w.fileMiB + packs * w.packDownloads * w.packFiles * w.fileMiB) * MIB + deliveries * 1024,
    logBytes: LOG_BYTES_PER_CALL.apiGatewayAccess + LOG_BYTES_PER_CALL.waf + LOG_BYTES_PER_CALL.lambda + events * 300 + uploads * 300 + packs * 300,
    // X-Ray keeps the first request each second and 5% of the rest (per service): at low rates nearly everything is traced.
    traces: sampledShare(rate.callsPerSecond, w.xraySampled) * (1 + archiverInvocations + notifierInvocations + deliveries + uploads + packs),
    unmeasured,
  };
}

/** The line items, in the order they are printed. `api path` marks what every call pays on its own way in and out. */
export const LINE_ITEMS = [
  { key: 'apiGateway', label: 'API Gateway REST', apiPath: true, source: 'apiGateway' },
  { key: 'waf', label: 'WAF requests', apiPath: true, source: 'waf' },
  { key: 'lambdaApi', label: 'Lambda: API route groups', apiPath: true, source: 'lambda' },
  { key: 'dynamoApi', label: 'DynamoDB: API calls (measured units)', apiPath: true, source: 'dynamodb' },
  { key: 'logs', label: 'CloudWatch Logs ingestion', apiPath: true, source: 'cloudwatch' },
  { key: 'xray', label: 'X-Ray traces (1/s + 5% sampled)', apiPath: true, source: 'xray' },
  { key: 'transferApi', label: 'data transfer out: API answers', apiPath: true, source: 'dataTransfer' },
  { key: 'lambdaArchiver', label: 'Lambda: archiver', apiPath: false, source: 'lambda' },
  { key: 'lambdaNotifier', label: 'Lambda: notifier', apiPath: false, source: 'lambda' },
  { key: 'lambdaWorker', label: 'Lambda: webhook worker', apiPath: false, source: 'lambda' },
  { key: 'lambdaVerifier', label: 'Lambda: file verifier', apiPath: false, source: 'lambda' },
  { key: 'lambdaPacks', label: 'Lambda: pack builder', apiPath: false, source: 'lambda' },
  { key: 'lambdaScheduled', label: 'Lambda: reminder sweep + hourly export (per-call share)', apiPath: false, source: 'lambda' },
  { key: 'dynamoConsumers', label: 'DynamoDB: consumers (inbox, verifier, packs, ledger)', apiPath: false, source: 'dynamodb' },
  { key: 's3Archive', label: 'S3: archive PUTs and export GETs', apiPath: false, source: 's3' },
  { key: 's3Files', label: 'S3: evidence and pack requests', apiPath: false, source: 's3' },
  { key: 'kms', label: 'KMS (archive data keys, upper bound; pack signatures)', apiPath: false, source: 'kms' },
  { key: 'sqs', label: 'SQS (pack jobs, webhook deliveries)', apiPath: false, source: 'sqs' },
  { key: 'ses', label: 'SES e-mail', apiPath: false, source: 'ses' },
  { key: 'guardDuty', label: 'GuardDuty malware scans of uploads', apiPath: false, source: 'guardDuty' },
  { key: 'transferFiles', label: 'data transfer out: evidence and pack files', apiPath: false, source: 'dataTransfer' },
] as const;

export type LineItem = (typeof LINE_ITEMS)[number]['key'];
export type CostBreakdown = Readonly<Record<LineItem, number>> & { readonly total: number; readonly apiPath: number };

/** Dollars per API call, by line item (first-tier prices; the monthly model applies API Gateway's tiers itself). */
export function pricePerCall(region: Region, u: PerCallUsage): Record<LineItem, number> {
  const p: RegionPrices = PRICES.regions[region];
  const lambda = (f: keyof typeof FUNCTION_MEMORY_MB) => u.lambda[f].gbSeconds * p.lambdaArmPerGbSecond + (u.lambda[f].invocations / 1e6) * p.lambdaPerMillionRequests;
  return {
    apiGateway: p.apiGatewayRestPerMillion / 1e6,
    waf: p.wafPerMillionRequests / 1e6,
    lambdaApi: lambda('api'),
    dynamoApi: (u.writeUnitsApi * p.dynamoWriteRequestUnitPerMillion + u.readUnitsApi * p.dynamoReadRequestUnitPerMillion) / 1e6,
    logs: (u.logBytes / GB) * p.logsIngestPerGb,
    xray: (u.traces / 1e6) * p.xrayPerMillionTraces,
    transferApi: (u.bytesOutApi / GB) * p.dataTransferOutPerGb,
    lambdaArchiver: lambda('archiver'),
    lambdaNotifier: lambda('notifier'),
    lambdaWorker: lambda('webhookWorker'),
    lambdaVerifier: lambda('fileVerifier'),
    lambdaPacks: lambda('packBuilder'),
    lambdaScheduled: lambda('reminders') + lambda('export'),
    dynamoConsumers: (u.writeUnitsConsumers * p.dynamoWriteRequestUnitPerMillion + u.readUnitsConsumers * p.dynamoReadRequestUnitPerMillion) / 1e6,
    s3Archive: (u.archivePuts / 1000) * p.s3PutPer1k + (u.s3GetsExport / 1000) * p.s3GetPer1k,
    s3Files: (u.s3PutsFiles / 1000) * p.s3PutPer1k + (u.s3GetsFiles / 1000) * p.s3GetPer1k,
    kms: (u.kmsRequests / 10_000) * p.kmsPer10kRequests + (u.kmsSigns / 10_000) * p.kmsAsymmetricPer10kRequests,
    sqs: (u.sqsRequests / 1e6) * p.sqsStandardPerMillionRequests,
    ses: (u.emails / 1000) * p.sesPerThousandEmails,
    guardDuty: (u.guardDutyObjects / 1000) * p.guardDutyS3Per1kObjects + u.guardDutyGb * p.guardDutyS3PerGbScanned,
    transferFiles: (u.bytesOutFiles / GB) * p.dataTransferOutPerGb,
  };
}

/** Dollars per million API calls in one region, by line item, with the total and the API path's subtotal. */
export function costPerMillion(region: Region, usage: PerCallUsage): CostBreakdown {
  const perCall = pricePerCall(region, usage);
  const r = (n: number) => +n.toFixed(3);
  const parts = Object.fromEntries(LINE_ITEMS.map((l) => [l.key, r(perCall[l.key] * 1e6)])) as Record<LineItem, number>;
  const total = LINE_ITEMS.reduce((n, l) => n + perCall[l.key] * 1e6, 0);
  const apiPath = LINE_ITEMS.filter((l) => l.apiPath).reduce((n, l) => n + perCall[l.key] * 1e6, 0);
  return { ...parts, total: r(total), apiPath: r(apiPath) };
}

/** The price behind each line item, as a phrase for the target's explanation. */
export function priceBehind(region: Region, item: LineItem): string {
  const p: RegionPrices = PRICES.regions[region];
  const phrases: Record<LineItem, string> = {
    apiGateway: `$${p.apiGatewayRestPerMillion} per million REST requests (first 333 M a month)`,
    waf: `$${p.wafPerMillionRequests} per million requests inspected`,
    lambdaApi: `$${p.lambdaArmPerGbSecond} per GB-s (Arm) + $${p.lambdaPerMillionRequests} per million invocations`,
    dynamoApi: `$${p.dynamoWriteRequestUnitPerMillion} per million write request units, $${p.dynamoReadRequestUnitPerMillion} per million read units (on-demand)`,
    logs: `$${p.logsIngestPerGb} per GB ingested`,
    xray: `$${p.xrayPerMillionTraces} per million traces`,
    transferApi: `$${p.dataTransferOutPerGb} per GB out to the internet`,
    lambdaArchiver: 'Lambda per GB-s and per invocation',
    lambdaNotifier: 'Lambda per GB-s and per invocation',
    lambdaWorker: 'Lambda per GB-s and per invocation',
    lambdaVerifier: 'Lambda per GB-s and per invocation',
    lambdaPacks: 'Lambda per GB-s and per invocation',
    lambdaScheduled: 'Lambda per GB-s and per invocation',
    dynamoConsumers: `$${p.dynamoWriteRequestUnitPerMillion} per million write request units`,
    s3Archive: `$${p.s3PutPer1k} per 1,000 PUTs`,
    s3Files: `$${p.s3PutPer1k} per 1,000 PUTs, $${p.s3GetPer1k} per 1,000 GETs`,
    kms: `$${p.kmsPer10kRequests} per 10,000 requests`,
    sqs: `$${p.sqsStandardPerMillionRequests} per million requests`,
    ses: `$${p.sesPerThousandEmails} per 1,000 e-mails`,
    guardDuty: `$${p.guardDutyS3Per1kObjects} per 1,000 objects + $${p.guardDutyS3PerGbScanned} per GB scanned (low confidence)`,
    transferFiles: `$${p.dataTransferOutPerGb} per GB out to the internet`,
  };
  const line = LINE_ITEMS.find((l) => l.key === item)!;
  return `${phrases[item]}; ${PRICE_SOURCES[line.source]!.split(',')[0]}`;
}

/**
 * Whether a breakdown meets its target, and if not, which line items make it miss: the fewest
 * largest items whose removal alone would bring the total under the target, each with its
 * amount, the usage behind it and the AWS price with its pricing page.
 */
export function judgeTarget(region: Region, cost: CostBreakdown, usage: PerCallUsage, targetPerMillion: number): { met: boolean; detail: string } {
  const total = cost.total;
  if (total <= targetPerMillion) return { met: true, detail: `$${total.toFixed(2)} per million calls (API path alone $${cost.apiPath.toFixed(2)})` };
  const largestUntilUnder = (items: readonly (typeof LINE_ITEMS)[number][], from: number) => {
    const sorted = items.map((l) => ({ key: l.key, label: l.label, dollars: cost[l.key] })).sort((a, b) => b.dollars - a.dollars);
    const picked: typeof sorted = [];
    let rest = from;
    for (const item of sorted) {
      if (rest <= targetPerMillion) break;
      picked.push(item);
      rest -= item.dollars;
    }
    return { picked, rest };
  };
  const { picked: culprits, rest: left } = largestUntilUnder(LINE_ITEMS, total);
  const usagePhrase: Partial<Record<LineItem, string>> = {
    ses: `${(usage.emails * 1e6).toFixed(0)} e-mails per million calls`,
    guardDuty: `${(usage.guardDutyObjects * 1e6).toFixed(0)} uploads scanned per million calls`,
    transferFiles: `${((usage.bytesOutFiles * 1e6) / GB).toFixed(0)} GB of files downloaded per million calls`,
    dynamoApi: `${usage.writeUnitsApi.toFixed(2)} WRU + ${usage.readUnitsApi.toFixed(2)} RRU per call`,
    apiGateway: 'every call',
  };
  const name = (c: { key: LineItem; label: string; dollars: number }) => `${c.label} $${c.dollars.toFixed(2)} (${usagePhrase[c.key] ? `${usagePhrase[c.key]}; ` : ''}${priceBehind(region, c.key)})`;
  const path = cost.apiPath > targetPerMillion ? largestUntilUnder(LINE_ITEMS.filter((l) => l.apiPath), cost.apiPath) : undefined;
  return {
    met: false,
    detail:
      `$${total.toFixed(2)} per million calls (API path alone $${cost.apiPath.toFixed(2)}); over the target by $${(total - targetPerMillion).toFixed(2)}. ` +
      `Without ${culprits.length === 1 ? 'this item' : `these ${culprits.length} items`} it would be $${left.toFixed(2)}: ${culprits.map(name).join('; ')}.` +
      (path ? ` The API path alone misses too; without ${path.picked.map((c) => `${c.label} ($${c.dollars.toFixed(2)})`).join(' and ')} it would be $${path.rest.toFixed(2)}.` : ''),
  };
}

/** Charges a month that do not grow with calls, counted from the stacks (bin/cost-model.ts synthesizes them). */
export interface FixedSetup {
  readonly wafRules: number;
  readonly kmsKeys: number;
  readonly alarms: number;
  readonly dashboards: number;
  /** Manifest signatures a month (the hourly export). */
  readonly signaturesPerMonth: number;
}

/** The product's fixed setup as the prod stacks define it (test/infra/cost-inputs.test.ts counts them in the synthesized templates); one export an hour. */
export const FIXED_SETUP: FixedSetup = { wafRules: 5, kmsKeys: 8, alarms: 28, dashboards: 1, signaturesPerMonth: 24 * 30 };

export function fixedMonthly(region: Region, setup: FixedSetup = FIXED_SETUP): number {
  const p: RegionPrices = PRICES.regions[region];
  // Scheduled invocations (hourly export ~2 s, daily sweep, daily table export, weekly drill,
  // hourly drill checks) cost cents; counted so nothing is left out.
  const scheduledGbSeconds = 24 * 30 * 2 * 1 + 30 * 1 * 0.5 + 30 * 1 * 0.25 + (4 + 24 * 30) * 1 * 2;
  return +(
    p.wafPerWebAclMonth +
    setup.wafRules * p.wafPerRuleMonth +
    setup.kmsKeys * p.kmsPerKeyMonth +
    (setup.signaturesPerMonth / 10_000) * p.kmsAsymmetricPer10kRequests +
    setup.alarms * p.alarmPerMonth +
    setup.dashboards * p.dashboardPerMonth +
    scheduledGbSeconds * p.lambdaArmPerGbSecond
  ).toFixed(2);
}

/**
 * What one million events cost in AWS, per recipient and per webhook, from the table operations
 * the notifier and the worker make (counted from their code: functions/core/use-cases/notifications.ts)
 * and the handler time measured in process.
 */
export interface NotificationCostInputs {
  readonly notifierMsPerEvent: number;
  readonly workerMsPerDelivery: number;
  /** Members of the receiving organisation (each: an inbox put, an e-mail and its mark). */
  readonly recipients: number;
  /** Subscribed webhooks (each: a queue marker, a queued message, one successful attempt). */
  readonly webhooks: number;
  /** Records per notifier invocation (the event source's batch). */
  readonly recordsPerInvocation: number;
}

export function notificationCostPerMillion(region: Region, inputs: NotificationCostInputs): Record<'Lambda' | 'DynamoDB' | 'SQS' | 'SES' | 'data transfer' | 'total', number> {
  const prices: RegionPrices = PRICES.regions[region];
  const memoryGb = FUNCTION_MEMORY_MB.notifier / 1024;
  const gbSeconds = (ms: number) => (Math.max(1, Math.ceil(ms)) / 1000) * memoryGb;
  const lambda =
    1_000_000 * gbSeconds(inputs.notifierMsPerEvent) * prices.lambdaArmPerGbSecond +
    prices.lambdaPerMillionRequests / inputs.recordsPerInvocation +
    inputs.webhooks * (1_000_000 * gbSeconds(inputs.workerMsPerDelivery) * prices.lambdaArmPerGbSecond + prices.lambdaPerMillionRequests);
  // Per event: the members query and the webhooks query (0.5 RRU each, eventually consistent);
  // per recipient: the inbox put and the mailed mark (1 WRU each); per webhook: the queued check
  // (1 RRU) and mark (1 WRU), then in the worker the webhook read (1 RRU), the log entry and the
  // outcome (1 WRU each).
  const writeUnits = 2 * inputs.recipients + 3 * inputs.webhooks;
  const readUnits = 1 + 2 * inputs.webhooks;
  const dynamodb = writeUnits * prices.dynamoWriteRequestUnitPerMillion + readUnits * prices.dynamoReadRequestUnitPerMillion;
  // One send per delivery; Lambda receives and deletes in batches of up to 10.
  const sqs = inputs.webhooks * 1.2 * prices.sqsStandardPerMillionRequests;
  const ses = inputs.recipients * 1000 * prices.sesPerThousandEmails;
  // About 1 KB per webhook POST leaves AWS: 1 GB per million.
  const dataTransfer = inputs.webhooks * prices.dataTransferOutPerGb;
  const r = (n: number) => +n.toFixed(2);
  return { Lambda: r(lambda), DynamoDB: r(dynamodb), SQS: r(sqs), SES: r(ses), 'data transfer': r(dataTransfer), total: r(lambda + dynamodb + sqs + ses + dataTransfer) };
}

/** Per active user, stated: how much they work and when. */
export const USER_ASSUMPTIONS = {
  /** API calls a user makes on a working day (console pages load 1-3 calls each). */
  callsPerWorkingDay: 30,
  workingDaysPerMonth: 21,
  /** Hours a day over which a region's users spread their calls. */
  activeHoursPerDay: 10,
  /** Busiest hour over the working-hours mean. */
  peakFactor: 2,
  /** Share of users who are auditors running Athena queries, and their queries a month, each over this many days of archive. */
  auditorShare: 0.005,
  athenaQueriesPerAuditorMonth: 20,
  athenaQueryDays: 30,
  /** Access tokens live 15 minutes: the console refreshes about this often a working day, each through the pre-token-generation trigger (256 MB, ~20 ms stated). */
  tokensPerWorkingDay: 16,
  preTokenMs: 20,
  preTokenMemoryMb: 256,
} as const;

/** Issue 15's target for the cost of a million API calls, every function included. */
export const COST_TARGET_PER_MILLION = 7;

/** The cost model's scales and the one the bench's per-million figure is priced at. */
export const SCALES = [100, 10_000, 1_000_000] as const;
export const BENCH_SCALE_USERS = 10_000;

/** Calls a second while users work (their mean) and in the busiest hour. */
export function rateAt(users: number, u = USER_ASSUMPTIONS): { callsPerMonth: number; callsPerSecond: number; peakCallsPerSecond: number } {
  const callsPerMonth = users * u.callsPerWorkingDay * u.workingDaysPerMonth;
  const callsPerSecond = callsPerMonth / (u.workingDaysPerMonth * u.activeHoursPerDay * 3600);
  return { callsPerMonth, callsPerSecond, peakCallsPerSecond: callsPerSecond * u.peakFactor };
}
