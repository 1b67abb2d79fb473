/**
 * Scheduled native export of the table to S3 (EventBridge Scheduler, daily): starts today's
 * ExportTableToPointInTime under `exports/<day>/` (the client token makes a retry the same
 * export) after checking that yesterday's export completed: DynamoDB writes
 * `manifest-summary.json` only when an export succeeds. An export that failed or never ran
 * fails this invocation, so the Errors alarm fires.
 */
import { DynamoDBClient, ExportTableToPointInTimeCommand } from '@aws-sdk/client-dynamodb';
import type { ArchiveReader } from '../archive/ports.js';

export const EXPORT_PREFIX = 'exports/';

export interface TableExportDeps {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly exports: ArchiveReader;
  readonly tableArn: string;
  readonly bucket: string;
  readonly kmsKeyArn: string;
  readonly clock?: () => Date;
}

export class TableExportMissingError extends Error {
  readonly code = 'table-export-missing';
  constructor(day: string) {
    super(`The table export of ${day} has no manifest-summary.json under ${EXPORT_PREFIX}${day}/: it failed or never ran`);
    this.name = 'TableExportMissingError';
  }
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

async function hasCompletedExport(exports: ArchiveReader, prefix: string): Promise<boolean> {
  for await (const listed of exports.list(prefix)) if (listed.key.endsWith('/manifest-summary.json')) return true;
  return false;
}

async function anyExport(exports: ArchiveReader): Promise<boolean> {
  for await (const _ of exports.list(EXPORT_PREFIX)) return true;
  return false;
}

export function createHandler(deps: TableExportDeps) {
  return async function exportTable(): Promise<{ day: string; exportArn: string | undefined }> {
    const now = (deps.clock ?? (() => new Date()))();
    const today = dayOf(now);
    const yesterday = dayOf(new Date(now.getTime() - 86_400_000));
    // The very first run has nothing to check.
    const yesterdayMissing = (await anyExport(deps.exports)) && !(await hasCompletedExport(deps.exports, `${EXPORT_PREFIX}${yesterday}/`));
    // Today's export starts either way: one missing day must not become two.
    const exportArn = await startExport(deps, today);
    if (yesterdayMissing) throw new TableExportMissingError(yesterday);
    return { day: today, exportArn };
  };
}

async function startExport(deps: TableExportDeps, day: string): Promise<string | undefined> {
  const answer = await deps.dynamodb.send(
    new ExportTableToPointInTimeCommand({
      TableArn: deps.tableArn,
      S3Bucket: deps.bucket,
      S3Prefix: `${EXPORT_PREFIX}${day}`,
      S3SseAlgorithm: 'KMS',
      S3SseKmsKeyId: deps.kmsKeyArn,
      ExportFormat: 'DYNAMODB_JSON',
      ClientToken: `table-export-${day}`,
    }),
  );
  return answer.ExportDescription?.ExportArn;
}
