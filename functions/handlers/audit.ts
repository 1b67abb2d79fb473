/** Lambda entry: the audit route group, built by the composition root from the function's environment. */
import { production } from '../composition/root.js';
import { auditDeps } from '../composition/table.js';
import { createHandler } from '../http/audit.js';

export const handler = createHandler(auditDeps(production()));
