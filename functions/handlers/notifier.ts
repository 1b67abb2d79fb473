/** Lambda entry: the notifier (the table stream's second consumer), built by the composition root from the function's environment. */
import { jobSettings } from '../composition/jobs.js';
import { notifierDeps } from '../composition/notifications.js';
import { createHandler } from '../jobs/notifier.js';

export const handler = createHandler(notifierDeps(jobSettings()));
