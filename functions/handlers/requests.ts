/** Lambda entry: the request routes. */
import { depsFromEnv } from '../http/dependencies.js';
import { createHandler } from '../http/requests.js';

export const handler = createHandler(depsFromEnv());
