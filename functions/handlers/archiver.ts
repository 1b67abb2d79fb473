/** Lambda entry: the archiver (the table stream's consumer), built by the jobs' composition root from the function's environment. */
import { archiverDeps, jobSettings } from '../composition/jobs.js';
import { createHandler } from '../jobs/archiver.js';

export const handler = createHandler(archiverDeps(jobSettings()));
