/** Lambda entry: the audit query route. */
import { auditDepsFromEnv } from '../http/dependencies.js';
import { createHandler } from '../http/audit.js';

export const handler = createHandler(auditDepsFromEnv());
