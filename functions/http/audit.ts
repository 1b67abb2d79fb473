/** The route group of the auditor's query over the audit trail. */
import { listAudit } from '../core/use-cases/audit.js';
import { apiOperation } from '../middleware/api-operation.js';
import type { AuditDeps } from '../composition/dependencies.js';
import { routeGroup } from './route-group.js';

export function createHandler(deps: AuditDeps) {
  return routeGroup('audit', {
    listAudit: apiOperation(
      { operation: 'listAudit', run: async (input, ctx) => ({ body: await listAudit(deps, ctx, input) }) },
      deps,
    ),
  });
}

