/** The webhook delivery queue on SQS: a message per attempt, delayed by DelaySeconds (at most 900). */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage, DeliveryQueue } from '../core/notification-ports.js';
import { MAX_QUEUE_DELAY_SECONDS } from '../core/webhooks.js';

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.round(delaySeconds))),
      }),
    );
  }
}
