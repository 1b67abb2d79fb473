/**
 * The monthly cost model: what the product costs a month at a number of active users, from
 * the per-call usage of bench/cost.ts (prices, traffic mix, measured units) plus what grows
 * with time rather than calls (table, archive, evidence, backups, logs) and what grows with
 * users (Cognito MAUs, Athena queries). bin/cost-model.ts prints it as docs/cost-model.md.
 */
import {
  API_GATEWAY_TIERS,
  costPerMillion,
  type FixedSetup,
  FIXED_SETUP,
  fixedMonthly,
  LINE_ITEMS,
  type MeasuredInputs,
  type PerCallUsage,
  perCallUsage,
  PRICES,
  pricePerCall,
  rateAt,
  type Region,
  type RegionPrices,
  tieredCost,
  USER_ASSUMPTIONS,
  type Workload,
  WORKLOAD,
} from './cost.js';
import { INDEXES } from '../functions/config/table.js';
import { STAGE_DEFAULTS } from '../lib/stages.js';

const GB = 1024 ** 3;
const MIB = 1024 ** 2;

/**
 * Item sizes in the table (bytes), stated from the capacity bench's written items (an audited
 * read writes a 761 B audit item; a create writes 759 B and 810 B, a fulfil 863 B, 955 B and
 * 170 B): audit items and requests stay under 1 KB, one write unit each. Entities per request:
 * the request, its comment, three shares, the new evidence and version, and an inbox entry per
 * recipient of each event (inbox entries have no TTL). An index entry that projects only keys
 * and filter attributes is about 200 B.
 */
export const ITEM_BYTES = { audit: 850, request: 900, indexEntry: 200, entitiesPerRequest: 900 + 500 + 3 * 180 + 0.75 * 1_500 + 8.6 * 2 * 400 } as const;

/** Index entries a request's entities keep (request: owner, counterparty, every tenant, half of them two due-date ones and the date index; evidence, packs, inbox). */
const ENTITY_INDEX_ENTRIES_PER_REQUEST = 3 + 0.5 * 3 + 0.75 * 2 + 2;

/** Whether the audit indexes (by actor, by resource) project whole items, from the table definition. */
export const AUDIT_INDEXES_PROJECTING_ALL = [INDEXES.auditByActor, INDEXES.auditByResource].filter((i) => i.projection === 'ALL').length;

/** How the stacks keep data (lib/stages.ts prod, lib/backups.ts, lib/stateful-stack.ts), for the storage lines. */
export interface RetentionSetup {
  /** Audit items stay in the table this long (TTL), after they are archived. */
  readonly auditTtlDays: number;
  /** Archive objects move to Glacier Instant Retrieval after this many days. */
  readonly archiveColdAfterDays: number;
  /** AWS Backup recovery points of the table and the evidence bucket, each copied to a second region. */
  readonly dailyBackups: number;
  readonly weeklyBackups: number;
  /** Daily native table exports kept (days). */
  readonly tableExportDays: number;
  /** A DYNAMODB_JSON export (gzip) against the table's size. */
  readonly exportCompression: number;
  /** Pack ZIPs kept (days). */
  readonly packDays: number;
  /** Log groups keep a year. */
  readonly logRetentionMonths: number;
  /** Athena workgroup scan cutoff per query (prod). */
  readonly athenaCutoffBytes: number;
  /** Cognito feature plan (prod: Plus, threat protection). */
  readonly cognitoPlan: 'PLUS' | 'ESSENTIALS';
  /** Audit items are in this many indexes (gsi7 by actor, gsi8 by resource); how many project the whole item. */
  readonly auditIndexes: number;
  readonly auditIndexesProjectingAll: number;
}

/** Prod's settings: TTL and scan cutoff from lib/stages.ts; the rest as lib/ sets them (test/infra/cost-inputs.test.ts checks). */
export const PROD_RETENTION: RetentionSetup = {
  auditTtlDays: STAGE_DEFAULTS.prod.auditTtlDays,
  archiveColdAfterDays: 90,
  dailyBackups: 35,
  weeklyBackups: 52,
  tableExportDays: 365,
  exportCompression: 0.3,
  packDays: 30,
  logRetentionMonths: 12,
  athenaCutoffBytes: STAGE_DEFAULTS.prod.athenaBytesScannedCutoff,
  cognitoPlan: STAGE_DEFAULTS.prod.threatProtection ? 'PLUS' : 'ESSENTIALS',
  auditIndexes: 2,
  auditIndexesProjectingAll: AUDIT_INDEXES_PROJECTING_ALL,
};

export interface MonthlyLine {
  readonly group: 'calls' | 'storage and backups' | 'users and queries' | 'fixed';
  readonly label: string;
  readonly dollars: number;
}

export interface MonthlyModel {
  readonly users: number;
  readonly region: Region;
  readonly monthsRunning: number;
  readonly rate: ReturnType<typeof rateAt>;
  readonly usage: PerCallUsage;
  readonly quantities: Readonly<Record<string, number>>;
  readonly lines: readonly MonthlyLine[];
  readonly total: number;
  readonly perUser: number;
}

/**
 * One month's cost at `users` active users, after `monthsRunning` months at that size (what
 * accumulates: evidence files, archive, table entities, exports, logs). Free tiers are not
 * subtracted (an upper bound; they matter only at the smallest scale).
 */
export function monthlyModel(
  region: Region,
  users: number,
  measured: MeasuredInputs,
  options: { monthsRunning?: number; retention?: RetentionSetup; fixed?: FixedSetup; workload?: Workload } = {},
): MonthlyModel {
  const months = options.monthsRunning ?? 12;
  const keep = options.retention ?? PROD_RETENTION;
  const p: RegionPrices = PRICES.regions[region];
  const rate = rateAt(users);
  const workload = options.workload ?? WORKLOAD;
  const usage = perCallUsage(measured, { callsPerSecond: rate.callsPerSecond }, workload);
  const calls = rate.callsPerMonth;
  const perCall = pricePerCall(region, usage);
  const lines: MonthlyLine[] = [];
  const add = (group: MonthlyLine['group'], label: string, dollars: number) => lines.push({ group, label, dollars });

  // Calls: every per-call line item, API Gateway through its volume tiers.
  for (const item of LINE_ITEMS) {
    const dollars = item.key === 'apiGateway' ? tieredCost(calls, API_GATEWAY_TIERS.rest) : perCall[item.key] * calls;
    add('calls', item.label, dollars);
  }

  // The table: audit items for their TTL, entities for as long as the product has run.
  const requestsPerMonth = calls / usage.callsPerRequest;
  const auditItems = usage.auditEvents * calls * (keep.auditTtlDays / 30);
  const auditBase = auditItems * ITEM_BYTES.audit;
  const auditIndex = auditItems * (keep.auditIndexesProjectingAll * ITEM_BYTES.audit + (keep.auditIndexes - keep.auditIndexesProjectingAll) * ITEM_BYTES.indexEntry);
  const entityBase = requestsPerMonth * months * ITEM_BYTES.entitiesPerRequest;
  // Mutable entities' index entries carry their keys and filter attributes only (functions/config/table.ts).
  const entityIndex = requestsPerMonth * months * ENTITY_INDEX_ENTRIES_PER_REQUEST * ITEM_BYTES.indexEntry;
  const tableBaseGb = (auditBase + entityBase) / GB;
  const tableGb = (auditBase + auditIndex + entityBase + entityIndex) / GB;
  add('storage and backups', 'DynamoDB storage (table and indexes)', tableGb * p.dynamoStoragePerGbMonth);
  add('storage and backups', 'DynamoDB PITR (35 days, on the table size)', tableBaseGb * p.dynamoPitrPerGbMonth);
  // AWS Backup: every DynamoDB backup is a full copy; daily and weekly points, both regions, and each new copy crosses regions.
  const backupCopies = keep.dailyBackups + keep.weeklyBackups;
  add('storage and backups', `AWS Backup of the table (${backupCopies} full copies x 2 regions)`, tableBaseGb * backupCopies * 2 * p.dynamoBackupPerGbMonth + tableBaseGb * (30 + 4.3) * p.interRegionTransferPerGb);
  add('storage and backups', `daily native table export (${keep.tableExportDays} days kept)`, tableBaseGb * 30 * p.dynamoExportPerGb + tableBaseGb * keep.exportCompression * keep.tableExportDays * p.s3StandardPerGbMonth);
  // Weekly drill: PITR restore of the whole table, then both tables scanned (eventually consistent, 4 KB per half RRU).
  const scanRru = ((tableBaseGb * GB) / 4096) * 0.5 * 2;
  add('storage and backups', 'weekly restore drill (restore + compare scans)', 4.3 * (tableBaseGb * p.dynamoRestorePerGb + (scanRru / 1e6) * p.dynamoReadRequestUnitPerMillion));

  // The archive: Standard while fresh, then Glacier Instant Retrieval (billed at least 128 KB an object), kept for years.
  const archiveBytesMonth = usage.archiveBytes * calls;
  const archiveObjectsMonth = usage.archivePuts * calls;
  const hotMonths = Math.min(months, keep.archiveColdAfterDays / 30);
  const coldMonths = Math.max(0, months - hotMonths);
  const coldBilled = coldMonths * Math.max(archiveBytesMonth, archiveObjectsMonth * 128 * 1024);
  add(
    'storage and backups',
    'S3 audit archive (Object Lock; Standard 90 days, then Glacier IR)',
    ((hotMonths * archiveBytesMonth) / GB) * p.s3StandardPerGbMonth + (coldBilled / GB) * p.s3GlacierIrPerGbMonth + (archiveObjectsMonth / 1000) * (months > hotMonths ? p.s3TransitionToGlacierIrPer1k : 0),
  );
  // Evidence files are immutable and kept; AWS Backup keeps them in both regions.
  const evidenceGbMonth = (usage.uploads * calls * workload.fileMiB * MIB) / GB;
  const evidenceGb = evidenceGbMonth * months;
  add('storage and backups', 'S3 evidence files', evidenceGb * p.s3StandardPerGbMonth);
  add('storage and backups', 'AWS Backup of the evidence bucket (2 regions)', evidenceGb * 2 * p.backupS3PerGbMonth + evidenceGbMonth * p.interRegionTransferPerGb);
  const packGb = (usage.packs * calls * workload.packFiles * workload.fileMiB * MIB * (keep.packDays / 30)) / GB;
  add('storage and backups', `S3 pack ZIPs (${keep.packDays} days)`, packGb * p.s3StandardPerGbMonth);
  const logGbMonth = (usage.logBytes * calls) / GB;
  add('storage and backups', `CloudWatch Logs storage (${keep.logRetentionMonths} months)`, logGbMonth * Math.min(months, keep.logRetentionMonths) * p.logsStoragePerGbMonth);

  // Users: Cognito MAUs (every active user signs in in the month); auditors' Athena queries over 30 days of audit objects.
  const mau = users;
  add(
    'users and queries',
    `Cognito ${keep.cognitoPlan === 'PLUS' ? 'Plus' : 'Essentials'} MAUs`,
    keep.cognitoPlan === 'PLUS' ? mau * p.cognitoPlusPerMau : Math.max(0, mau - p.cognitoEssentialsFreeMau) * p.cognitoEssentialsPerMau,
  );
  const tokens = users * USER_ASSUMPTIONS.tokensPerWorkingDay * USER_ASSUMPTIONS.workingDaysPerMonth;
  add(
    'users and queries',
    'Lambda: pre-token-generation trigger (sign-ins and refreshes)',
    tokens * ((Math.ceil(USER_ASSUMPTIONS.preTokenMs) / 1000) * (USER_ASSUMPTIONS.preTokenMemoryMb / 1024) * p.lambdaArmPerGbSecond + p.lambdaPerMillionRequests / 1e6),
  );
  const auditBytesPerDay = (usage.auditEvents * measured.archiveGzipBytesPerEvent * calls) / 30;
  const queryBytes = Math.min(keep.athenaCutoffBytes, Math.max(10 * MIB, auditBytesPerDay * USER_ASSUMPTIONS.athenaQueryDays));
  const queries = Math.max(1, users * USER_ASSUMPTIONS.auditorShare) * USER_ASSUMPTIONS.athenaQueriesPerAuditorMonth;
  add('users and queries', 'Athena (auditor queries over 30 days of audit)', ((queries * queryBytes) / 1024 ** 4) * p.athenaPerTbScanned);

  add('fixed', 'WAF web ACL and rules, KMS keys, alarms, dashboard, scheduled jobs', fixedMonthly(region, options.fixed ?? FIXED_SETUP));

  const total = lines.reduce((n, l) => n + l.dollars, 0);
  return {
    users,
    region,
    monthsRunning: months,
    rate,
    usage,
    quantities: {
      callsPerMonth: calls,
      requestsPerMonth,
      auditEventsPerMonth: usage.auditEvents * calls,
      streamRecordsPerMonth: usage.streamRecords * calls,
      emailsPerMonth: usage.emails * calls,
      eventsPerMonth: usage.events * calls,
      uploadsPerMonth: usage.uploads * calls,
      packsPerMonth: usage.packs * calls,
      archiveGbPerMonth: archiveBytesMonth / GB,
      archiveObjectsPerMonth: archiveObjectsMonth,
      archiveGbStored: (months * archiveBytesMonth) / GB,
      evidenceGbStored: evidenceGb,
      tableGb,
      tableBaseGb,
      athenaQueries: queries,
      athenaGbPerQuery: queryBytes / GB,
      athenaQueryWantsGb: (auditBytesPerDay * USER_ASSUMPTIONS.athenaQueryDays) / GB,
      filesOutGbPerMonth: (usage.bytesOutFiles * calls) / GB,
      costPerMillionCalls: costPerMillion(region, usage).total,
    },
    lines,
    total,
    perUser: total / users,
  };
}
