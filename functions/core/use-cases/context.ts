/** What every use case receives besides its ports. */
import type { AuditTrail } from '../audit-trail.js';
import type { Principal } from '../principal.js';

export interface UseCaseContext {
  readonly principal: Principal;
  readonly audit: AuditTrail;
  readonly now: () => Date;
}

/**
 * A use case's input, parsed at the edge. Reading a part that failed its schema throws that
 * part's ValidationError: a use case authorizes first, so a role that may never call it is
 * refused (403) before its input is looked at.
 */
export interface UseCaseInput<Path = undefined, Query = undefined, Body = undefined> {
  readonly path: Path;
  readonly query: Query;
  readonly body: Body;
}
