/** Lambda entry: the public route group, built by the composition root from the function's environment. */
import { publicDeps, production } from '../composition/root.js';
import { createHandler } from '../http/public.js';

export const handler = createHandler(publicDeps(production()));
