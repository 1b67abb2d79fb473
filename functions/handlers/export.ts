/** Lambda entry: the scheduled archive export, built by the jobs' composition root from the function's environment. */
import { exportDeps, jobSettings } from '../composition/jobs.js';
import { createHandler } from '../jobs/export.js';

export const handler = createHandler(exportDeps(jobSettings()));
