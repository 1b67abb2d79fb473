/**
 * Applies the permission table to a caller and, for owned objects, to the object's tenants.
 * Wrong role: 403 before anything is read. Another tenant's object: 404, as if absent.
 */
import { ForbiddenError, HiddenNotFoundError } from './errors.js';
import { scopeOf, type Operation, type Scope } from './permissions.js';
import type { Principal } from './principal.js';
import type { EvidenceShare } from './ports.js';
import type { Role } from './permissions.js';

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

/** A principal established from a token (every operation but the anonymous ones). */
export function signedIn(principal: Principal): Principal & { readonly role: Role } {
  if (principal.role === 'anonymous') throw new ForbiddenError('role-forbidden', 'Sign in for this operation');
  return principal as Principal & { readonly role: Role };
}

/**
 * The versions of one evidence a caller of this scope sees: all of them for `all` and for the
 * owning factory; for `shared`, the versions shared with the caller's org by either source of
 * sharing, a fulfilment (request repository) or a factory's pack (pack repository).
 * `undefined` when the caller may see none (answered as if the evidence did not exist).
 */
export function visibleVersions(
  principal: Principal,
  scope: Exclude<Scope, 'never'>,
  evidence: { readonly factoryId: string },
  shares: readonly EvidenceShare[],
): 'all' | ReadonlySet<number> | undefined {
  if (scope === 'all') return 'all';
  if (scope === 'own') return evidence.factoryId === principal.orgId ? 'all' : undefined;
  if (scope === 'shared') {
    const versions = new Set(shares.filter((s) => s.buyerOrgId === principal.orgId).map((s) => s.version));
    return versions.size > 0 ? versions : undefined;
  }
  return undefined;
}

export interface PackParties {
  readonly ownerOrgId: string;
  readonly sharedWithOrgId?: string | undefined;
}

/** Throws HiddenNotFoundError unless the caller may read the pack: its owner org, the org it is shared with, or an `all` scope. */
export function assertPackAccess(principal: Principal, scope: Exclude<Scope, 'never'>, pack: PackParties): void {
  if (scope === 'all') return;
  if (scope === 'own' && principal.orgId !== undefined && (pack.ownerOrgId === principal.orgId || pack.sharedWithOrgId === principal.orgId)) return;
  throw new HiddenNotFoundError('pack-not-found', 'No such pack');
}

/** Throws HiddenNotFoundError unless the caller's org owns the pack (share links are the owner's alone). */
export function assertPackOwner(principal: Principal, scope: Exclude<Scope, 'never'>, pack: PackParties): void {
  if (scope === 'all') return;
  if (scope === 'own' && principal.orgId !== undefined && pack.ownerOrgId === principal.orgId) return;
  throw new HiddenNotFoundError('pack-not-found', 'No such pack');
}
