/**
 * The local stand-in for EventBridge between the evidence bucket and the file verifier: each
 * ObjectCreated of the local S3 store becomes the "Object Created" event S3 sends EventBridge
 * in AWS, delivered to the very handler Lambda runs, with retries like Lambda's asynchronous
 * invocation, and, when those are spent, a line in a failure file (the failure queue's stand-in)
 * and an error log line (its alarm's).
 */
import { randomUUID } from 'node:crypto';
import { invocationLogger } from '../functions/observability/logger.js';
import { createDeliveryQueue } from './delivery-queue.js';
import type { ObjectCreated } from './s3-local.js';

export type EventHandler = (event: unknown) => Promise<unknown>;

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html */
export function objectCreatedEvent(created: ObjectCreated, now = new Date()) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${created.bucket}`],
    detail: {
      version: '0',
      bucket: { name: created.bucket },
      object: { key: created.key, size: created.size, etag: created.etag },
      'request-id': randomUUID(),
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
}

export interface ObjectEventBusOptions {
  /** Only objects of this bucket under this prefix, as the EventBridge rule's pattern (lib/evidence-files.ts). */
  readonly rule: { readonly bucket: string; readonly prefix: string };
  /** Where events whose retries are spent are appended, one JSON line each. */
  readonly failureFile: string;
  /** Attempts per event (Lambda's asynchronous invocation: 1 + 2 retries). @default 3 */
  readonly attempts?: number;
  /** Pause before the n-th retry: n * this. @default 500 ms */
  readonly retryDelayMs?: number;
  readonly log?: (message: string, details: Record<string, unknown>) => void;
}

export interface ObjectEventBus {
  /** Queues one event if the rule matches it; delivered once a handler is connected. */
  deliver(created: ObjectCreated): void;
  connect(handler: EventHandler): void;
  /** Resolves when every queued event was handled or sent to the failure file. */
  idle(): Promise<void>;
}

export function createObjectEventBus(options: ObjectEventBusOptions): ObjectEventBus {
  const log = options.log ?? ((message, details) => invocationLogger({ route: 'file-verifier' }).error(message, details));
  let handler: EventHandler | undefined;
  const queue = createDeliveryQueue<ReturnType<typeof objectCreatedEvent>>({
    attempt: async (event) => {
      await handler!(event);
      return true;
    },
    attempts: options.attempts ?? 3,
    retryDelayMs: options.retryDelayMs ?? 500,
    failureFile: options.failureFile,
    failureLine: (event, error) => ({ error: String(error), event }),
    gaveUp: (event, error) => log('file verifier failed; event kept in the failure file', { key: event.detail.object.key, failureFile: options.failureFile, error: String(error) }),
  });

  return {
    deliver(created) {
      if (created.bucket !== options.rule.bucket || !created.key.startsWith(options.rule.prefix)) return;
      queue.push(objectCreatedEvent(created));
    },
    connect(next) {
      handler = next;
      queue.start();
    },
    idle: () => queue.idle(),
  };
}
