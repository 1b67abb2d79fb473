/** Lambda entry: the packs route group (packs and share links), built by the composition root from the function's environment. */
import { packsDeps } from '../composition/packs.js';
import { production } from '../composition/root.js';
import { createHandler } from '../http/packs.js';

export const handler = createHandler(packsDeps(production()));
