/**
 * The weekly restore drill in AWS (EventBridge Scheduler). `start` restores the table's
 * newest restorable point (PITR) into `<table>-drill-<monday>`; hourly `check`s wait for it
 * to become ACTIVE, then compare it with the source (counts and content hash per entity
 * type, for items unchanged since the restore point) and its audit events with the archive,
 * log the report, delete the copy, and fail the invocation when the drill failed or the
 * restore hangs, so the Errors alarm fires. Restores take minutes to hours: longer than one
 * Lambda invocation may run, hence two phases.
 */
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  RestoreTableToPointInTimeCommand,
  TableAlreadyExistsException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ArchiveReader } from '../archive/ports.js';
import { auditPrefixes, readArchivedAuditRecords } from '../backup/archive-audit.js';
import { type DrillReport, formatReport } from '../backup/compare.js';
import { evaluateDrill } from '../backup/drill.js';
import { scanAllItems } from '../adapters/dynamo-table-scan.js';
import type { Logger } from '../archive/archive-batch.js';
import { invocationLogger } from '../observability/logger.js';

/** A restore still not ACTIVE after this long has hung. */
export const RESTORE_TIMEOUT_MS = 12 * 3_600_000;
/** Archive lag allowed at the restore point. */
const ARCHIVE_SETTLE_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** Hourly bookkeeping (SYSTEM#), short-lived idempotency records: a point-in-time copy differs by design. */
export const DRILL_EXCLUDED_TYPES: ReadonlySet<string> = new Set(['system', 'archive-batch', 'idempotency']);

/** The drill table of the week `now` falls in (named by its Monday), so start and checks agree without a list call. */
export function drillTableName(tableName: string, now: Date): string {
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
  return `${tableName}-drill-${monday.toISOString().slice(0, 10).replace(/-/g, '')}`;
}

export class BackupDrillError extends Error {
  readonly code = 'backup-drill-failed';
  constructor(message: string, readonly report?: DrillReport) {
    super(message);
    this.name = 'BackupDrillError';
  }
}

export interface BackupDrillDeps {
  readonly dynamodb: DynamoDBClient;
  readonly archive: ArchiveReader;
  readonly tableName: string;
  readonly tableArn: string;
  readonly tableKeyArn: string;
  readonly auditTtlDays: number;
  readonly log?: Logger;
  readonly clock?: () => Date;
}

export type DrillOutcome = 'restore-started' | 'restore-running' | 'idle' | 'passed';

export function createHandler(deps: BackupDrillDeps) {
  const log = deps.log ?? invocationLogger({ route: 'backup-drill' });
  const documents = DynamoDBDocumentClient.from(deps.dynamodb);
  return async function backupDrill(event: { phase?: 'start' | 'check' } = {}): Promise<DrillOutcome> {
    const now = (deps.clock ?? (() => new Date()))();
    const target = drillTableName(deps.tableName, now);
    if (event.phase === 'start') {
      try {
        await deps.dynamodb.send(
          new RestoreTableToPointInTimeCommand({
            SourceTableArn: deps.tableArn,
            TargetTableName: target,
            UseLatestRestorableTime: true,
            BillingModeOverride: 'PAY_PER_REQUEST',
            SSESpecificationOverride: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: deps.tableKeyArn },
          }),
        );
      } catch (error) {
        if (!(error instanceof TableAlreadyExistsException)) throw error;
      }
      log.info('backup drill restore started', { target });
      return 'restore-started';
    }

    let table;
    try {
      table = (await deps.dynamodb.send(new DescribeTableCommand({ TableName: target }))).Table;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return 'idle';
      throw error;
    }
    if (!table || table.TableStatus === 'DELETING') return 'idle';
    if (table.TableStatus !== 'ACTIVE') {
      const since = table.CreationDateTime?.getTime() ?? now.getTime();
      if (now.getTime() - since > RESTORE_TIMEOUT_MS) throw new BackupDrillError(`restore into ${target} is still ${table.TableStatus} after ${RESTORE_TIMEOUT_MS / 3_600_000} h`);
      return 'restore-running';
    }

    const restorePoint = (table.RestoreSummary?.RestoreDateTime ?? now).toISOString();
    const point = Date.parse(restorePoint);
    const [source, restored, archive] = await Promise.all([
      scanAllItems(documents, deps.tableName),
      scanAllItems(documents, target),
      readArchivedAuditRecords(deps.archive, auditPrefixes({ from: new Date(point - (deps.auditTtlDays - 2) * DAY_MS), to: new Date(point) })),
    ]);
    const report = evaluateDrill({
      sourceName: deps.tableName,
      restoredName: target,
      source,
      restored,
      archive,
      restorePoint,
      excludedTypes: DRILL_EXCLUDED_TYPES,
      expiringBefore: Math.floor(now.getTime() / 1000) + 86_400,
      archiveWindow: { from: new Date(point - (deps.auditTtlDays - 2) * DAY_MS).toISOString(), to: new Date(point - ARCHIVE_SETTLE_MS).toISOString() },
    });
    log.info(formatReport(report), { pass: report.pass, target });
    await deps.dynamodb.send(new DeleteTableCommand({ TableName: target }));
    if (!report.pass) throw new BackupDrillError(`backup drill failed: ${report.checks.filter((c) => !c.pass).map((c) => c.name).join(', ')}`, report);
    return 'passed';
  };
}
