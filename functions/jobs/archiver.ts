/**
 * DynamoDB Streams consumer (NEW_AND_OLD_IMAGES): writes audit events to `audit/dt=.../`
 * and every other entity change to `changes/dt=.../` as gzip JSON lines, write-once.
 * Partial failures are reported with `batchItemFailures` (ReportBatchItemFailures). Each
 * batch's range is recorded in the table before its first PUT, so a retry rebuilds exactly
 * the first attempt's objects (see archiveBatch).
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { archiveBatch, type Logger } from '../archive/archive-batch.js';
import { type ArchiveMetrics, archivedHeartbeats } from '../archive/heartbeat.js';
import type { ArchiveBatchLedger, ArchiveWriter } from '../archive/ports.js';
import { toStreamChange } from '../archive/stream-change.js';
import { PowertoolsArchiveMetrics } from '../adapters/powertools-archive-metrics.js';
import { invocationLogger } from '../observability/logger.js';

export { toStreamChange };

export interface ArchiverDeps {
  readonly writer: ArchiveWriter;
  /**
   * Records each batch's range so a retry rebuilds the same objects. Production and the local
   * runtime always pass it; without it a retried batch that grew may archive records twice.
   */
  readonly batches?: ArchiveBatchLedger;
  readonly log?: Logger;
  readonly now?: () => Date;
  /** Counts archived audit heartbeats. @default Powertools Metrics (EMF on stdout) */
  readonly metrics?: ArchiveMetrics;
}

export function createHandler(deps: ArchiverDeps) {
  const metrics = deps.metrics ?? new PowertoolsArchiveMetrics();
  return async function archiveStreamBatch(event: DynamoDBStreamEvent, context?: Pick<Context, 'awsRequestId'>): Promise<DynamoDBBatchResponse> {
    const log = deps.log ?? invocationLogger({ route: 'archiver', ...(context && { correlationId: context.awsRequestId }) });
    const changes = event.Records.map(toStreamChange);
    const first = changes[0];
    if (!first) return { batchItemFailures: [] };
    const result = await archiveBatch(first.streamLabel, changes, deps.writer, log, {
      ...(deps.batches ? { ledger: deps.batches } : {}),
      ...(event.Records[0]?.eventSourceARN ? { streamArn: event.Records[0].eventSourceARN } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
    log.info('archived stream batch', {
      records: changes.length,
      objects: result.objects.length,
      failedSequenceNumber: result.failedSequenceNumber,
      rangeLastSequenceNumber: result.range?.lastSequenceNumber,
    });
    metrics.heartbeatsArchived(archivedHeartbeats(changes, result.failedSequenceNumber));
    return {
      batchItemFailures: result.failedSequenceNumber ? [{ itemIdentifier: result.failedSequenceNumber }] : [],
    };
  };
}
