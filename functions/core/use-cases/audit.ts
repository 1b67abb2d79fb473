/** The auditor's query over the audit trail. */
import type { AuditEvent, ListAuditQuery } from '../../schemas/audit.js';
import { authorize } from '../access.js';
import type { AuditLog, Page } from '../ports.js';
import type { UseCaseContext } from './context.js';
import { pageOf } from './requests.js';

export async function listAudit(deps: { auditLog: AuditLog }, ctx: UseCaseContext, query: ListAuditQuery): Promise<Page<AuditEvent>> {
  authorize(ctx.principal, 'listAudit');
  const { limit: _limit, cursor: _cursor, from, to, ...filter } = query;
  const normalised = {
    ...filter,
    ...(from !== undefined && { from: new Date(from).toISOString() }),
    ...(to !== undefined && { to: new Date(to).toISOString() }),
  };
  return deps.auditLog.list(normalised, pageOf(query));
}
