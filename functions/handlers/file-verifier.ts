/** Lambda entry: the evidence file verifier, built by the jobs' composition root from the function's environment. */
import { fileVerifierDeps, jobSettings } from '../composition/jobs.js';
import { createHandler } from '../jobs/file-verifier.js';

export const handler = createHandler(fileVerifierDeps(jobSettings()));
