/** Lambda entry: the directory route group, built by the composition root from the function's environment. */
import { directoryDeps } from '../composition/directory.js';
import { production } from '../composition/root.js';
import { createHandler } from '../http/directory.js';

export const handler = createHandler(directoryDeps(production()));
