/** Lambda entry: the evidence route group, built by the composition root from the function's environment. */
import { production } from '../composition/root.js';
import { evidenceDeps } from '../composition/table.js';
import { createHandler } from '../http/evidence.js';

export const handler = createHandler(evidenceDeps(production()));
