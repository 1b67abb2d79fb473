/** Lambda entry: the pack builder, built by the jobs' composition root from the function's environment. */
import { packBuilderJobDeps, jobSettings } from '../composition/jobs.js';
import { createHandler } from '../jobs/pack-builder.js';

export const handler = createHandler(packBuilderJobDeps(jobSettings()));
