/** Lambda entry: the requests route group, built by the composition root from the function's environment. */
import { requestsDeps, production } from '../composition/root.js';
import { createHandler } from '../http/requests.js';

export const handler = createHandler(requestsDeps(production()));
