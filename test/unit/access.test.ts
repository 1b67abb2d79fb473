/**
 * Pins the permission table and its enforcement to the hand-written access oracle
 * (test/support/access-oracle.ts, from API.md): a row of PERMISSIONS that grants more or
 * less than API.md says fails here, and so does an operation the oracle has no row for.
 */
import { describe, expect, it } from 'vitest';
import { assertRequestAccess, authorize, isRequestParty, orgOf } from '../../functions/core/access.js';
import { ForbiddenError, NotFoundError } from '../../functions/core/errors.js';
import { OPERATIONS, PERMISSIONS, ROLES, type Role, type Scope } from '../../functions/core/permissions.js';
import type { Principal } from '../../functions/core/principal.js';
import { ACCESS_ORACLE, oracleRow, parseAnswer, type Cell } from '../support/access-oracle.js';

const ORG: Record<Role, string | undefined> = { buyer: 'B001', factory: 'F001', auditor: undefined, admin: undefined };
const principal = (role: Role): Principal => ({ userId: `u-${role}`, username: role, role, ...(ORG[role] && { orgId: ORG[role] }) });
const own = { buyerOrgId: 'B001', factoryId: 'F001' };
const foreign = { buyerOrgId: 'B002', factoryId: 'F002' };

/** The scope API.md's answers imply for one role on one operation. */
function scopeFromOracle(cell: Cell): Scope {
  const own = parseAnswer(cell.own);
  if (own.status === 403) return 'never';
  if (cell.other === 'n/a') return 'any';
  if (cell.other === 'shown' || cell.other === cell.own) return 'all';
  if (cell.other === 'hidden' || parseAnswer(cell.other).status === 404) return cell.shared ? 'shared' : 'own';
  throw new Error(`No scope answers own ${cell.own} / other ${cell.other}`);
}

function refusalOf(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the access oracle', () => {
  it('has a row for every operation, and none for an operation that does not exist', () => {
    const missing = OPERATIONS.filter((operation) => !(operation in ACCESS_ORACLE));
    expect(missing, 'operations without a row in test/support/access-oracle.ts').toEqual([]);
    expect(Object.keys(ACCESS_ORACLE).filter((operation) => !(OPERATIONS as readonly string[]).includes(operation))).toEqual([]);
  });

  it('answers every role in every row', () => {
    for (const operation of OPERATIONS) expect(Object.keys(oracleRow(operation)).sort()).toEqual([...ROLES].sort());
  });
});

describe('the permission table, pinned to the oracle', () => {
  for (const operation of OPERATIONS) {
    for (const role of ROLES) {
      const want = scopeFromOracle(oracleRow(operation)[role]);
      it(`${role} ${operation}: ${want}`, () => {
        expect(PERMISSIONS[operation][role]).toBe(want);
      });
    }
  }
});

describe('authorize', () => {
  for (const operation of OPERATIONS) {
    for (const role of ROLES) {
      const forbidden = parseAnswer(oracleRow(operation)[role].own).status === 403;
      it(`${role} ${operation}: ${forbidden ? 'refused with 403' : 'allowed'}`, () => {
        const refusal = refusalOf(() => authorize(principal(role), operation));
        if (forbidden) {
          expect(refusal).toBeInstanceOf(ForbiddenError);
          expect((refusal as ForbiddenError).outcome).toBe('DENIED');
          expect((refusal as ForbiddenError).code).toBe('role-forbidden');
          expect((refusal as ForbiddenError).message).toBe(`The ${role} role may not ${operation}`);
        } else {
          expect(refusal).toBeUndefined();
          expect(authorize(principal(role), operation)).toBe(PERMISSIONS[operation][role]);
        }
      });
    }
  }
});

describe('assertRequestAccess', () => {
  const requestOperations = ['getRequest', 'fulfilItem', 'reviewItem', 'cancelRequest', 'getRequestHistory'] as const;
  for (const operation of requestOperations) {
    for (const role of ROLES) {
      const cell = oracleRow(operation)[role];
      if (parseAnswer(cell.own).status === 403) continue;
      it(`${role} ${operation}: its own tenant's request ${cell.own}, another tenant's ${cell.other}`, () => {
        const me = principal(role);
        const scope = authorize(me, operation);
        expect(refusalOf(() => assertRequestAccess(me, scope, own))).toBeUndefined();
        const refusal = refusalOf(() => assertRequestAccess(me, scope, foreign));
        if (cell.other === cell.own) {
          expect(refusal).toBeUndefined();
        } else {
          expect(parseAnswer(cell.other as Cell['own'])).toEqual({ status: 404, outcome: 'DENIED' });
          expect(refusal).toBeInstanceOf(NotFoundError);
          expect((refusal as NotFoundError).outcome).toBe('DENIED');
          expect((refusal as NotFoundError).code).toBe('request-not-found');
        }
      });
    }
  }

  it('refuses the other party of the request acting in the wrong role', () => {
    const factoryAsBuyer: Principal = { userId: 'u', username: 'f', role: 'factory', orgId: 'B001' };
    expect(() => assertRequestAccess(factoryAsBuyer, 'own', own)).toThrow(NotFoundError);
    const buyerAsFactory: Principal = { userId: 'u', username: 'b', role: 'buyer', orgId: 'F001' };
    expect(() => assertRequestAccess(buyerAsFactory, 'own', own)).toThrow(NotFoundError);
  });

  it('never lets a shared or any scope reach a request', () => {
    for (const scope of ['shared', 'any'] as const) expect(() => assertRequestAccess(principal('buyer'), scope, own)).toThrow(NotFoundError);
  });
});

describe('isRequestParty', () => {
  it('is the buyer org for a buyer, the addressed factory for a factory, and nobody else', () => {
    expect(isRequestParty(principal('buyer'), own)).toBe(true);
    expect(isRequestParty(principal('buyer'), foreign)).toBe(false);
    expect(isRequestParty(principal('factory'), own)).toBe(true);
    expect(isRequestParty(principal('factory'), foreign)).toBe(false);
    expect(isRequestParty(principal('auditor'), own)).toBe(false);
    expect(isRequestParty(principal('admin'), own)).toBe(false);
    // Even with an organisation that happens to be a party's, a read-only role is never a party.
    for (const role of ['auditor', 'admin'] as const) {
      for (const orgId of ['B001', 'F001']) expect(isRequestParty({ userId: 'u', username: role, role, orgId }, own), `${role} of ${orgId}`).toBe(false);
    }
  });
});

describe('orgOf', () => {
  it('refuses an owning role without an organisation', () => {
    const refusal = refusalOf(() => orgOf({ userId: 'u', username: 'b', role: 'buyer' }));
    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect((refusal as ForbiddenError).code).toBe('organisation-missing');
    expect((refusal as ForbiddenError).message).toBe('The buyer account has no organisation');
    expect(orgOf(principal('factory'))).toBe('F001');
  });
});
