/** Lambda entry: the requests route group, built by the composition root from the function's environment. */
import { production } from '../composition/root.js';
import { requestsDeps } from '../composition/table.js';
import { createHandler } from '../http/requests.js';

export const handler = createHandler(requestsDeps(production()));
