/**
 * The webhook delivery worker: one SQS message is one attempt of one delivery (see
 * deliverWebhook). A failed attempt is not an error: it is logged and re-enqueued with its
 * backoff (DelaySeconds, at most 15 minutes a hop; nothing sleeps). An error (the table
 * unreachable) is reported for that message alone (ReportBatchItemFailures): SQS redelivers
 * it, and after maxReceiveCount it lands in the dead-letter queue, whose depth is alarmed.
 * Locally the delayed queue in `npm start` drives the same handler.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeliveryMessage } from '../core/notification-ports.js';
import { deliverWebhook, type DeliveryDeps } from '../core/use-cases/notifications.js';
import { invocationLogger } from '../observability/logger.js';

export function createHandler(deps: DeliveryDeps) {
  return async function deliverWebhooks(event: SQSEvent, context?: Pick<Context, 'awsRequestId'>): Promise<SQSBatchResponse> {
    const log = invocationLogger({ route: 'webhook worker', ...(context && { correlationId: context.awsRequestId }) });
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        const message = JSON.parse(record.body) as DeliveryMessage;
        const outcome = await deliverWebhook(deps, message);
        log.info('webhook delivery', { deliveryId: message.deliveryId, webhookId: message.webhookId, attempt: message.attempt, outcome });
      } catch (error) {
        log.error('webhook delivery failed to run; SQS redelivers it', { error, messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
