/**
 * The local stand-in for the pack job queue (SQS in AWS, lib/packs.ts): the API's `enqueue`
 * becomes an SQS message handed to the very handler Lambda runs, one message per invocation,
 * redelivered with its ApproximateReceiveCount raised while the handler reports it failed,
 * and, once its receives are spent, a line in a failure file (the dead-letter queue's
 * stand-in) and an error log line (its alarm's).
 */
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { PackJobs } from '../functions/core/ports.js';
import { PACK_JOB_MAX_RECEIVES } from '../functions/core/packs.js';
import { invocationLogger } from '../functions/observability/logger.js';
import { createDeliveryQueue } from './delivery-queue.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalPackQueueOptions {
  /** Where messages whose receives are spent are appended, one JSON line each. */
  readonly failureFile: string;
  /** Receives before a message moves to the dead-letter file. @default PACK_JOB_MAX_RECEIVES */
  readonly maxReceives?: number;
  /** The visibility timeout's stand-in: the pause before the n-th redelivery is n * this. @default 1 s */
  readonly retryDelayMs?: number;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface LocalPackQueue extends PackJobs {
  connect(handler: SqsHandler): void;
  /** Resolves when every queued job was handled or moved to the failure file. */
  idle(): Promise<void>;
}

function sqsRecord(messageId: string, body: string, receiveCount: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: randomUUID(),
    body,
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: now, SenderId: '000000000000', ApproximateFirstReceiveTimestamp: now },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:pack-jobs',
    awsRegion: 'eu-west-1',
  };
}

export function createLocalPackQueue(options: LocalPackQueueOptions): LocalPackQueue {
  const log = options.log ?? ((message, details) => invocationLogger({ route: 'pack-builder' }).error(message, details));
  let handler: SqsHandler | undefined;
  const queue = createDeliveryQueue<{ messageId: string; body: string }>({
    // One receive: the handler reports the message failed (or throws) to have it redelivered.
    attempt: async (message, receive) => {
      const answer = await handler!({ Records: [sqsRecord(message.messageId, message.body, receive)] });
      return !(answer?.batchItemFailures ?? []).some((f) => f.itemIdentifier === message.messageId);
    },
    attempts: options.maxReceives ?? PACK_JOB_MAX_RECEIVES,
    retryDelayMs: options.retryDelayMs ?? 1_000,
    failureFile: options.failureFile,
    failureLine: (message) => ({ message }),
    gaveUp: (message) => log('pack job moved to the dead-letter file', { messageId: message.messageId, failureFile: options.failureFile }),
  });

  return {
    async enqueue(job) {
      queue.push({ messageId: randomUUID(), body: JSON.stringify({ packId: job.packId }) });
    },
    connect(next) {
      handler = next;
      queue.start();
    },
    idle: () => queue.idle(),
  };
}
