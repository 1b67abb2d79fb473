/** Lambda entry: the daily native table export, built by the jobs' composition root from the function's environment. */
import { jobSettings, tableExportDeps } from '../composition/jobs.js';
import { createHandler } from '../jobs/backup-export.js';

export const handler = createHandler(tableExportDeps(jobSettings()));
