/**
 * The notifier: the table stream's second consumer (beside the archiver, which it cannot
 * delay). It derives the product's events from the changes (core/notification-events.ts)
 * and fans each out to inboxes, e-mail and the webhook queue (core/use-cases/notifications.ts),
 * idempotently, so a redelivered batch notifies nobody twice. Records are handled ten at a
 * time; the first that fails is reported (ReportBatchItemFailures) and the batch resumes from it.
 * In AWS retries end in the on-failure destination (an SQS queue, alarmed); locally the
 * stream poller plays the event source mapping.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { toStreamChange } from '../archive/stream-change.js';
import { eventsOf, type RequestLookup } from '../core/notification-events.js';
import type { RequestRepository } from '../core/ports.js';
import { notify, type NotifierDeps } from '../core/use-cases/notifications.js';
import { invocationLogger } from '../observability/logger.js';

export interface NotifierHandlerDeps extends NotifierDeps {
  readonly requests: Pick<RequestRepository, 'get'>;
  readonly log?: { info(message: string, details?: Record<string, unknown>): void; error(message: string, details?: Record<string, unknown>): void };
}

/** Records of one batch worked on at once. */
const CONCURRENCY = 10;

export function createHandler(deps: NotifierHandlerDeps) {
  const lookup: RequestLookup = async (requestId) => (await deps.requests.get(requestId))?.request;
  return async function notifyStreamBatch(event: DynamoDBStreamEvent, context?: Pick<Context, 'awsRequestId'>): Promise<DynamoDBBatchResponse> {
    const log = deps.log ?? invocationLogger({ route: 'notifier', ...(context && { correlationId: context.awsRequestId }) });
    let events = 0;
    // Records are independent and every step is idempotent, so a batch is worked on several at a
    // time; the first record that failed is reported, and the retry from it repeats nothing already done.
    const changes = event.Records.map(toStreamChange);
    const failed: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, changes.length) }, async () => {
        while (next < changes.length) {
          const index = next++;
          const change = changes[index]!;
          try {
            for (const productEvent of await eventsOf(change, lookup)) {
              const counts = await notify(deps, productEvent);
              events++;
              log.info('notified', { eventId: productEvent.eventId, type: productEvent.type, ...counts });
            }
          } catch (error) {
            log.error('notification failed; the batch resumes from the first failed record', { error, sequenceNumber: change.sequenceNumber, pk: change.keys.pk });
            failed.push(index);
          }
        }
      }),
    );
    if (failed.length > 0) return { batchItemFailures: [{ itemIdentifier: changes[Math.min(...failed)]!.sequenceNumber }] };
    if (events === 0) log.info('no events in batch', { records: event.Records.length });
    return { batchItemFailures: [] };
  };
}
