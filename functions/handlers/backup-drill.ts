/** Lambda entry: the weekly restore drill, built by the jobs' composition root from the function's environment. */
import { backupDrillDeps, jobSettings } from '../composition/jobs.js';
import { createHandler } from '../jobs/backup-drill.js';

export const handler = createHandler(backupDrillDeps(jobSettings()));
