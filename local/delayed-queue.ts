/**
 * The local stand-in for the webhook delivery queue (SQS): a message sent with a delay is
 * handed to the very handler Lambda runs (the webhook worker, with an SQS-shaped event) once
 * the delay has passed. A message the handler reports as failed is received again after the
 * visibility timeout, up to `maxReceiveCount` times, then appended to a failure file (the
 * dead-letter queue's stand-in) with an error log line (its alarm's). Messages still waiting
 * at stop are written to `stateFile` and scheduled again at the next start.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DeliveryMessage, DeliveryQueue } from '../functions/core/notification-ports.js';
import { MAX_QUEUE_DELAY_SECONDS } from '../functions/core/webhooks.js';
import { invocationLogger } from '../functions/observability/logger.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface DelayedQueueOptions {
  readonly failureFile: string;
  /** Where waiting messages are kept across a restart. */
  readonly stateFile?: string;
  /** @default 5 (the CDK queue's maxReceiveCount) */
  readonly maxReceiveCount?: number;
  /** Before a failed message is received again. @default 1,000 ms (SQS: the visibility timeout) */
  readonly visibilityTimeoutMs?: number;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface LocalDelayedQueue extends DeliveryQueue {
  connect(handler: SqsHandler): void;
  /** Messages waiting or in flight. */
  readonly size: number;
  /** Resolves once no message waits for less than `horizonMs` and none is in flight. */
  idle(horizonMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Waiting {
  readonly id: string;
  readonly body: string;
  readonly dueAt: number;
  readonly receiveCount: number;
  timer?: NodeJS.Timeout;
}

export function createDelayedQueue(options: DelayedQueueOptions): LocalDelayedQueue {
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  const visibilityTimeoutMs = options.visibilityTimeoutMs ?? 1000;
  const log = options.log ?? ((message, details) => invocationLogger({ route: 'webhook worker' }).error(message, details));
  const waiting = new Map<string, Waiting>();
  let inFlight = 0;
  let handler: SqsHandler | undefined;
  let stopped = false;

  function schedule(entry: Waiting): void {
    if (stopped) return;
    waiting.set(entry.id, entry);
    if (!handler) return;
    entry.timer = setTimeout(() => void receive(entry), Math.max(0, entry.dueAt - Date.now()));
  }

  async function receive(entry: Waiting): Promise<void> {
    waiting.delete(entry.id);
    inFlight++;
    const receiveCount = entry.receiveCount + 1;
    let failed = true;
    try {
      const event: SQSEvent = {
        Records: [
          {
            messageId: entry.id,
            receiptHandle: entry.id,
            body: entry.body,
            attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: String(Date.now()), SenderId: 'local', ApproximateFirstReceiveTimestamp: String(Date.now()) },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:webhook-deliveries',
            awsRegion: 'eu-west-1',
          },
        ],
      };
      const answer = await handler!(event);
      failed = answer.batchItemFailures.some((f) => f.itemIdentifier === entry.id);
    } catch {
      failed = true;
    } finally {
      inFlight--;
    }
    if (!failed) return;
    if (receiveCount >= maxReceiveCount) {
      mkdirSync(dirname(options.failureFile), { recursive: true });
      appendFileSync(options.failureFile, JSON.stringify({ failedAt: new Date().toISOString(), receiveCount, body: JSON.parse(entry.body) }) + '\n');
      log('webhook delivery message dead-lettered', { messageId: entry.id, failureFile: options.failureFile });
      return;
    }
    schedule({ id: entry.id, body: entry.body, dueAt: Date.now() + visibilityTimeoutMs, receiveCount });
  }

  if (options.stateFile && existsSync(options.stateFile)) {
    for (const entry of JSON.parse(readFileSync(options.stateFile, 'utf8')) as Waiting[]) waiting.set(entry.id, entry);
    rmSync(options.stateFile);
  }

  return {
    async enqueue(message: DeliveryMessage, delaySeconds: number) {
      const delay = Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, delaySeconds));
      schedule({ id: randomUUID(), body: JSON.stringify(message), dueAt: Date.now() + delay * 1000, receiveCount: 0 });
    },
    connect(next) {
      handler = next;
      for (const entry of waiting.values()) schedule(entry);
    },
    get size() {
      return waiting.size + inFlight;
    },
    async idle(horizonMs = 5_000) {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const soon = [...waiting.values()].some((entry) => entry.dueAt - Date.now() <= horizonMs);
        if (!soon && inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      stopped = true;
      for (const entry of waiting.values()) clearTimeout(entry.timer);
      while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      if (options.stateFile && waiting.size > 0) {
        mkdirSync(dirname(options.stateFile), { recursive: true });
        writeFileSync(options.stateFile, JSON.stringify([...waiting.values()].map(({ timer: _timer, ...entry }) => entry)));
      }
      waiting.clear();
    },
  };
}
