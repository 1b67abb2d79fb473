/**
 * The restore drill's comparison, pure: item counts and a content hash per entity type of
 * two tables (source and restored copy), and of the restored audit events against the
 * archive's. Canonical JSON (keys sorted) makes the hash independent of attribute order.
 */
import { createHash } from 'node:crypto';
import { AuditArchiveRecord } from '../schemas/archive.js';
import { stripKeys } from '../archive/records.js';

export type Item = Record<string, unknown>;

export interface TypeSummary {
  readonly count: number;
  readonly sha256: string;
}

export type TableSummary = Readonly<Record<string, TypeSummary>>;

export interface SummaryOptions {
  /**
   * Restore point: items whose newest timestamp (updatedAt, occurredAt, sharedAt, createdAt)
   * is after it are left out, and so is their key on the other side (see `excludedKeys`).
   * @default - none: both tables are compared whole (the local drill, nothing writes meanwhile)
   */
  readonly asOf?: string;
  /** Keys (`pk|sk`) to leave out, e.g. those the source changed after the restore point. */
  readonly excludedKeys?: ReadonlySet<string>;
  /** Entity types left out (bookkeeping that changes every hour, such as `system`). */
  readonly excludedTypes?: ReadonlySet<string>;
  /** Items whose TTL (epoch seconds) falls before this are left out: TTL may remove them from either side at any moment. */
  readonly expiringBefore?: number;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value instanceof Set) return canonicalJson([...value].map((v) => canonicalJson(v)).sort());
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const itemKey = (item: Item): string => `${String(item['pk'])}|${String(item['sk'])}`;

/** The item's entity type: its `entity` attribute, else its key's prefix (`ORG#...` -> `org`). */
export function entityTypeOf(item: Item): string {
  if (typeof item['entity'] === 'string') return item['entity'];
  const pk = String(item['pk'] ?? '');
  const prefix = (pk.includes('#') ? pk.slice(0, pk.indexOf('#')) : pk).toLowerCase();
  const sk = String(item['sk'] ?? '');
  if (prefix === 'evidence' && sk.includes('#')) return `evidence-${sk.slice(0, sk.indexOf('#')).toLowerCase()}`;
  return prefix || 'unknown';
}

const TIMESTAMP_ATTRIBUTES = ['updatedAt', 'occurredAt', 'sharedAt', 'createdAt'];

/** The newest timestamp an item carries, or undefined when it has none. */
export function changedAt(item: Item): string | undefined {
  const stamps = TIMESTAMP_ATTRIBUTES.map((name) => item[name]).filter((v): v is string => typeof v === 'string');
  return stamps.length ? stamps.sort().at(-1) : undefined;
}

/** Keys of the items changed after `asOf`: left out of both sides of a point-in-time comparison. */
export function keysChangedAfter(items: Iterable<Item>, asOf: string): Set<string> {
  const keys = new Set<string>();
  for (const item of items) {
    const at = changedAt(item);
    if (at !== undefined && at > asOf) keys.add(itemKey(item));
  }
  return keys;
}

function hashLines(lines: string[]): string {
  const hash = createHash('sha256');
  for (const line of lines.sort()) hash.update(line).update('\n');
  return hash.digest('hex');
}

/** Count and content hash per entity type. */
export function summarizeItems(items: Iterable<Item>, options: SummaryOptions = {}): TableSummary {
  const lines = new Map<string, string[]>();
  for (const item of items) {
    const type = entityTypeOf(item);
    if (options.excludedTypes?.has(type)) continue;
    const key = itemKey(item);
    if (options.excludedKeys?.has(key)) continue;
    const at = changedAt(item);
    if (options.asOf !== undefined && at !== undefined && at > options.asOf) continue;
    if (options.expiringBefore !== undefined && typeof item['ttl'] === 'number' && item['ttl'] < options.expiringBefore) continue;
    const group = lines.get(type) ?? [];
    group.push(`${key}\t${canonicalJson(item)}`);
    lines.set(type, group);
  }
  return Object.fromEntries([...lines].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, group]) => [type, { count: group.length, sha256: hashLines(group) }]));
}

/** The audit events among the items, shaped as the archiver shapes them (the archive's record schema). */
export function auditRecordsOf(items: Iterable<Item>): AuditArchiveRecord[] {
  const records: AuditArchiveRecord[] = [];
  for (const item of items) {
    if (entityTypeOf(item) !== 'audit') continue;
    records.push(AuditArchiveRecord.parse(stripKeys(item)));
  }
  return records;
}

/** Count and hash of audit records (from the table or the archive), within [from, to) when given. */
export function summarizeAuditRecords(records: Iterable<AuditArchiveRecord>, window: { from?: string; to?: string } = {}): TypeSummary {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    if (window.from !== undefined && record.occurredAt < window.from) continue;
    if (window.to !== undefined && record.occurredAt >= window.to) continue;
    // The archive may hold a redelivered record twice (at-least-once); the drill counts events.
    if (seen.has(record.eventId)) continue;
    seen.add(record.eventId);
    lines.push(`${record.eventId}\t${canonicalJson(record)}`);
  }
  return { count: lines.length, sha256: hashLines(lines) };
}

export interface Check {
  readonly name: string;
  readonly expected: TypeSummary;
  readonly actual: TypeSummary;
  readonly pass: boolean;
}

const EMPTY: TypeSummary = { count: 0, sha256: hashLines([]) };

/** One check per entity type found on either side. */
export function compareSummaries(label: string, expected: TableSummary, actual: TableSummary): Check[] {
  const types = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return types.map((type) => {
    const e = expected[type] ?? EMPTY;
    const a = actual[type] ?? EMPTY;
    return { name: `${label} ${type}`, expected: e, actual: a, pass: e.count === a.count && e.sha256 === a.sha256 };
  });
}

export function compareAudit(label: string, expected: TypeSummary, actual: TypeSummary): Check {
  return { name: label, expected, actual, pass: expected.count === actual.count && expected.sha256 === actual.sha256 };
}

export interface DrillReport {
  readonly source: string;
  readonly restored: string;
  readonly restorePoint?: string;
  readonly checks: readonly Check[];
  readonly pass: boolean;
}

export function drillReport(fields: Omit<DrillReport, 'pass'>): DrillReport {
  return { ...fields, pass: fields.checks.length > 0 && fields.checks.every((c) => c.pass) };
}

export function formatReport(report: DrillReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 10);
  const rows = report.checks.map(
    (c) => `  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${String(c.expected.count).padStart(6)} / ${String(c.actual.count).padStart(6)}  ${c.expected.sha256.slice(0, 12)} / ${c.actual.sha256.slice(0, 12)}`,
  );
  return [
    `backup drill: ${report.source} -> ${report.restored}${report.restorePoint ? ` (restore point ${report.restorePoint})` : ''}`,
    `  ${'ok'.padEnd(4)}  ${'check'.padEnd(width)}  expected / actual  sha256 expected / actual`,
    ...rows,
    `backup drill ${report.pass ? 'PASSED' : 'FAILED'}: ${report.checks.filter((c) => c.pass).length}/${report.checks.length} checks`,
  ].join('\n');
}
