import { describe, expect, it } from 'vitest';
import { assertRequestAccess, authorize, orgOf } from '../../functions/core/access.js';
import { ForbiddenError, NotFoundError } from '../../functions/core/errors.js';
import { OPERATIONS, ROLES, scopeOf, type Role } from '../../functions/core/permissions.js';
import type { Principal } from '../../functions/core/principal.js';

const ORG: Record<Role, string | undefined> = { buyer: 'B001', factory: 'F001', auditor: undefined, admin: undefined };
const principal = (role: Role): Principal => ({ userId: `u-${role}`, username: role, role, ...(ORG[role] && { orgId: ORG[role] }) });
const own = { buyerOrgId: 'B001', factoryId: 'F001' };
const foreign = { buyerOrgId: 'B002', factoryId: 'F002' };

describe('authorize', () => {
  for (const role of ROLES) {
    for (const operation of OPERATIONS) {
      const scope = scopeOf(role, operation);
      it(`${role} ${operation}: ${scope}`, () => {
        if (scope === 'never') expect(() => authorize(principal(role), operation)).toThrow(ForbiddenError);
        else expect(authorize(principal(role), operation)).toBe(scope);
      });
    }
  }
});

describe('assertRequestAccess', () => {
  const requestOperations = ['getRequest', 'fulfilItem', 'reviewItem', 'cancelRequest', 'getRequestHistory'] as const;
  for (const role of ROLES) {
    for (const operation of requestOperations) {
      const scope = scopeOf(role, operation);
      it(`${role} ${operation} on its own and on another tenant's request`, () => {
        const me = principal(role);
        if (scope === 'never') {
          expect(() => authorize(me, operation)).toThrow(ForbiddenError);
        } else if (scope === 'all') {
          expect(() => assertRequestAccess(me, scope, foreign)).not.toThrow();
        } else {
          expect(() => assertRequestAccess(me, scope, own)).not.toThrow();
          const refusal = (() => {
            try {
              assertRequestAccess(me, scope, foreign);
            } catch (error) {
              return error;
            }
          })();
          expect(refusal).toBeInstanceOf(NotFoundError);
          expect((refusal as NotFoundError).outcome).toBe('DENIED');
          expect((refusal as NotFoundError).code).toBe('request-not-found');
        }
      });
    }
  }

  it('does not let a factory act as the buyer of a request addressed to it', () => {
    const factoryAsBuyer: Principal = { userId: 'u', username: 'f', role: 'factory', orgId: 'B001' };
    expect(() => assertRequestAccess(factoryAsBuyer, 'own', own)).toThrow(NotFoundError);
  });
});

describe('orgOf', () => {
  it('refuses an owning role without an organisation', () => {
    expect(() => orgOf({ userId: 'u', username: 'b', role: 'buyer' })).toThrow(ForbiddenError);
    expect(orgOf(principal('factory'))).toBe('F001');
  });
});
