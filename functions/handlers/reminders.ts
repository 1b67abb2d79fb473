/** Lambda entry: the daily reminder sweep (EventBridge Scheduler), built by the composition root from the function's environment. */
import { jobSettings } from '../composition/jobs.js';
import { reminderDeps } from '../composition/notifications.js';
import { createHandler } from '../jobs/reminders.js';

export const handler = createHandler(reminderDeps(jobSettings()));
