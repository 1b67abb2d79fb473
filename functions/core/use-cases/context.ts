/** What every use case receives besides its input. */
import type { AuditTrail } from '../audit-trail.js';
import type { Principal } from '../principal.js';

export interface UseCaseContext {
  readonly principal: Principal;
  readonly audit: AuditTrail;
  readonly now: () => Date;
}
