/**
 * Applies the permission table to a caller and, for owned objects, to the object's tenants.
 * Wrong role: 403 before anything is read. Another tenant's object: 404, as if absent.
 */
import { ForbiddenError, HiddenNotFoundError } from './errors.js';
import { scopeOf, type Operation, type Scope } from './permissions.js';
import type { Principal } from './principal.js';

/** Throws ForbiddenError when the role may never perform the operation; returns its scope. */
export function authorize(principal: Principal, operation: Operation): Exclude<Scope, 'never'> {
  const scope = scopeOf(principal.role, operation);
  if (scope === 'never') throw new ForbiddenError('role-forbidden', `The ${principal.role} role may not ${operation}`);
  return scope;
}

export interface RequestParties {
  readonly buyerOrgId: string;
  readonly factoryId: string;
}

/** The caller's organisation is a party of the request in the role it acts in. */
export function isRequestParty(principal: Principal, request: RequestParties): boolean {
  if (principal.role === 'buyer') return request.buyerOrgId === principal.orgId;
  if (principal.role === 'factory') return request.factoryId === principal.orgId;
  return false;
}

/** Throws HiddenNotFoundError (hiding the tenant) unless a caller of this scope may touch this request. */
export function assertRequestAccess(principal: Principal, scope: Exclude<Scope, 'never'>, request: RequestParties): void {
  if (scope === 'all') return;
  if (scope === 'own' && isRequestParty(principal, request)) return;
  throw new HiddenNotFoundError('request-not-found', 'No such request');
}

/** The organisation the caller acts for; roles that own objects always have one. */
export function orgOf(principal: Principal): string {
  if (!principal.orgId) throw new ForbiddenError('organisation-missing', `The ${principal.role} account has no organisation`);
  return principal.orgId;
}
