/** The auditor's query over the audit trail. */
import type { AuditEvent, ListAuditQuery } from '../../schemas/audit.js';
import { authorize } from '../access.js';
import { ValidationError } from '../errors.js';
import type { AuditLog, Page } from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { pageOf } from './requests.js';

/**
 * 1. Auditors and admins only.
 * 2. `from` (inclusive) may not lie after `to` (exclusive); both arrive normalised to UTC milliseconds.
 */
export async function listAudit(deps: { auditLog: AuditLog }, ctx: UseCaseContext, input: UseCaseInput<undefined, ListAuditQuery>): Promise<Page<AuditEvent>> {
  authorize(ctx.principal, 'listAudit');
  const { limit: _limit, cursor: _cursor, ...filter } = input.query;
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    const message = `from (${filter.from}) is later than to (${filter.to})`;
    throw new ValidationError(
      [
        { path: 'query.from', message: `must not be later than to (${filter.to})` },
        { path: 'query.to', message: `must not be earlier than from (${filter.from})` },
      ],
      { code: 'range-reversed', message },
    );
  }
  return deps.auditLog.list(filter, pageOf(input.query));
}
