/**
 * The daily reminder sweep (EventBridge Scheduler, once a day; locally a timer in `npm start`
 * and `npm run reminders:sweep`). Errors are thrown: the Scheduler retries, then sends the
 * event to the dead-letter queue, whose depth is alarmed. Idempotent (see sweepReminders).
 */
import { sweepReminders, type ReminderDeps } from '../core/use-cases/reminders.js';
import { invocationLogger } from '../observability/logger.js';

export function createHandler(deps: ReminderDeps) {
  return async function sweep(): Promise<Awaited<ReturnType<typeof sweepReminders>>> {
    const result = await sweepReminders(deps);
    invocationLogger({ route: 'reminders' }).info('reminder sweep', { ...result });
    return result;
  };
}
