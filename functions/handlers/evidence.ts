/** Lambda entry: the evidence routes. */
import { depsFromEnv } from '../http/dependencies.js';
import { createHandler } from '../http/evidence.js';

export const handler = createHandler(depsFromEnv());
