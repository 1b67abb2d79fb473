/** Re-runs a read-decide-write step when a concurrent write won the race. */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrentUpdateError, ConflictError } from '../errors.js';

export async function withOptimisticRetry<T>(attempt: () => Promise<T>, maxAttempts = 25): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      if (n >= maxAttempts) throw new ConflictError('update-contention', 'The object kept changing concurrently; retry', { cause: error });
      // Full jitter keeps a burst of writers from colliding again in lockstep.
      await sleep(Math.random() * Math.min(200, 5 * 2 ** n));
    }
  }
}
