/** The queue of pack builds on SQS: one message per pack, its id the only content. */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { PackJobs } from '../core/ports.js';

export class SqsPackJobs implements PackJobs {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string | undefined,
  ) {}

  async enqueue(job: { readonly packId: string }): Promise<void> {
    if (!this.queueUrl) throw new Error('No pack queue is configured (PACK_QUEUE_URL)');
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ packId: job.packId }) }));
  }
}
