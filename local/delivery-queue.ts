/**
 * What the local stand-ins for AWS's asynchronous deliveries share (EventBridge to the file
 * verifier, SQS to the pack builder): messages handled one at a time in arrival order once a
 * handler is connected, each retried with a growing pause, and, when its attempts are spent,
 * appended to a failure file (the failure destination's stand-in) with an error log line
 * (its alarm's).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DeliveryQueueOptions<M> {
  /** One attempt at a message (1-based); resolves true when it was handled, false or a throw when it must be retried. */
  readonly attempt: (message: M, attempt: number) => Promise<boolean>;
  readonly attempts: number;
  /** Pause before the n-th retry: n * this. */
  readonly retryDelayMs: number;
  readonly failureFile: string;
  /** The failure file's line for a message (without `failedAt`). */
  readonly failureLine: (message: M, error: unknown) => Record<string, unknown>;
  /** Called once a message's attempts are spent, after the failure file has its line. */
  readonly gaveUp: (message: M, error: unknown) => void;
}

export interface DeliveryQueue<M> {
  push(message: M): void;
  /** Starts (or keeps) handling: messages pushed before the first call wait for it. */
  start(): void;
  /** Resolves when every message pushed so far was handled or sent to the failure file. */
  idle(): Promise<void>;
}

export function createDeliveryQueue<M>(options: DeliveryQueueOptions<M>): DeliveryQueue<M> {
  const waiting: M[] = [];
  let started = false;
  let running = Promise.resolve();

  async function handle(message: M): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let error: unknown;
      try {
        if (await options.attempt(message, attempt)) return;
      } catch (thrown) {
        error = thrown;
      }
      if (attempt >= options.attempts) {
        mkdirSync(dirname(options.failureFile), { recursive: true });
        appendFileSync(options.failureFile, JSON.stringify({ failedAt: new Date().toISOString(), ...options.failureLine(message, error) }) + '\n');
        options.gaveUp(message, error);
        return;
      }
      await sleep(attempt * options.retryDelayMs);
    }
  }

  function drain(): void {
    if (!started) return;
    for (const message of waiting.splice(0)) running = running.then(() => handle(message));
  }

  return {
    push(message) {
      waiting.push(message);
      drain();
    },
    start() {
      started = true;
      drain();
    },
    async idle() {
      let seen: Promise<void>;
      do {
        seen = running;
        await seen;
      } while (seen !== running);
    },
  };
}
