/** Lambda entry: the webhook delivery worker (the delivery queue's consumer), built by the composition root from the function's environment. */
import { jobSettings } from '../composition/jobs.js';
import { webhookWorkerDeps } from '../composition/notifications.js';
import { createHandler } from '../jobs/webhook-worker.js';

export const handler = createHandler(webhookWorkerDeps(jobSettings()));
