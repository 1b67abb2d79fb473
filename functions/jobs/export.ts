/**
 * Scheduled export (EventBridge, hourly): seals the objects archived since the previous
 * manifest into a signed, chained manifest and reconciles table against archive. A
 * reconciliation mismatch is written into the manifest and then fails the invocation, so
 * the function's Errors alarm fires.
 */
import type { Context } from 'aws-lambda';
import type { Logger } from '../archive/archive-batch.js';
import { exportManifest, type ExportDeps, type ExportResult } from '../archive/export-manifest.js';
import { writeHeartbeat } from '../archive/heartbeat.js';
import type { AuditLog } from '../core/ports.js';
import { IntegrityError } from '../core/errors.js';
import { invocationLogger } from '../observability/logger.js';

export interface ExportHandlerDeps extends Omit<ExportDeps, 'log'> {
  readonly log?: Logger;
  readonly settleMs: number;
  readonly lookbackDays?: number;
  readonly clock?: () => Date;
  /** Where this hour's heartbeat audit event is written (the normal audit path); none: no heartbeat. */
  readonly heartbeat?: Pick<AuditLog, 'record' | 'list'>;
}

export class ReconciliationMismatchError extends IntegrityError {
  constructor(readonly result: ExportResult) {
    super(
      'audit-reconciliation-mismatch',
      `Audit reconciliation mismatch in ${result.manifestKey}: ${result.reconciliation.tableAuditEvents} events in the table, ` +
        `${result.reconciliation.archivedAuditEvents} archived, ${result.reconciliation.missingFromArchive.length} missing, ` +
        `${result.reconciliation.notInTable.length} unknown, ${result.reconciliation.duplicates.length} duplicated`,
    );
  }
}

export function createHandler(deps: ExportHandlerDeps) {
  return async function exportArchiveManifest(_event?: unknown, context?: Pick<Context, 'awsRequestId'>): Promise<ExportResult> {
    const log = deps.log ?? invocationLogger({ route: 'export', ...(context && { correlationId: context.awsRequestId }) });
    const now = (deps.clock ?? (() => new Date()))();
    if (deps.heartbeat) log.info('audit heartbeat', { outcome: await writeHeartbeat(deps.heartbeat, now) });
    const result = await exportManifest({ ...deps, log }, { now, settleMs: deps.settleMs, lookbackDays: deps.lookbackDays });
    if (result.reconciliation.status === 'MISMATCH') throw new ReconciliationMismatchError(result);
    return result;
  };
}
