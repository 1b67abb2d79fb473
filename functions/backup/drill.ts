/**
 * The restore drill's verdict: the restored table against its source (counts and content
 * hash per entity type), and the restored audit events against the archive's.
 */
import type { AuditArchiveRecord } from '../schemas/archive.js';
import {
  auditRecordsOf,
  compareAudit,
  compareSummaries,
  drillReport,
  type DrillReport,
  type Item,
  keysChangedAfter,
  summarizeAuditRecords,
  summarizeItems,
} from './compare.js';

export interface DrillInputs {
  readonly sourceName: string;
  readonly restoredName: string;
  readonly source: readonly Item[];
  readonly restored: readonly Item[];
  /** Audit records read from the archive. */
  readonly archive: readonly AuditArchiveRecord[];
  /** The restore point (PITR); items changed after it are left out of both sides. @default - none: exact copy expected */
  readonly restorePoint?: string;
  /** Occurrence window of the audit events compared with the archive. @default - all of them */
  readonly archiveWindow?: { readonly from?: string; readonly to?: string };
  /** Entity types not compared (hourly bookkeeping under SYSTEM#, short-lived idempotency records). */
  readonly excludedTypes?: ReadonlySet<string>;
  /** Items whose TTL falls before this (epoch seconds) are not compared. */
  readonly expiringBefore?: number;
}

export function evaluateDrill(inputs: DrillInputs): DrillReport {
  const excludedKeys = inputs.restorePoint ? keysChangedAfter(inputs.source, inputs.restorePoint) : new Set<string>();
  const options = {
    excludedKeys,
    ...(inputs.excludedTypes && { excludedTypes: inputs.excludedTypes }),
    ...(inputs.expiringBefore !== undefined && { expiringBefore: inputs.expiringBefore }),
    ...(inputs.restorePoint && { asOf: inputs.restorePoint }),
  };
  const tableChecks = compareSummaries('table', summarizeItems(inputs.source, options), summarizeItems(inputs.restored, options));
  const window = inputs.archiveWindow ?? {};
  const archiveCheck = compareAudit(
    'archive audit events',
    summarizeAuditRecords(inputs.archive, window),
    summarizeAuditRecords(auditRecordsOf(inputs.restored), window),
  );
  return drillReport({
    source: inputs.sourceName,
    restored: inputs.restoredName,
    ...(inputs.restorePoint && { restorePoint: inputs.restorePoint }),
    checks: [...tableChecks, archiveCheck],
  });
}
