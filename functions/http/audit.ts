/** Lambda entry for the auditor's query over the audit trail. */
import { listAudit } from '../core/use-cases/audit.js';
import { apiOperation } from '../middleware/api-route.js';
import type { AuditDeps } from './dependencies.js';
import { routeGroup } from './router.js';

export function createHandler(deps: AuditDeps) {
  return routeGroup('audit', {
    listAudit: apiOperation(
      { operation: 'listAudit', run: async ({ query }, ctx) => ({ body: await listAudit(deps, ctx, query) }) },
      deps,
    ),
  });
}

