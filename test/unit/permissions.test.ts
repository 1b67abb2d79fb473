import { describe, expect, it } from 'vitest';
import { OPERATIONS, PERMISSIONS, ROLES, scopeOf } from '../../functions/core/permissions.js';
import { ROUTES } from '../../functions/api/routes.js';

describe('permission table', () => {
  it('has a row for every operation and a scope for every role', () => {
    for (const operation of OPERATIONS) {
      for (const role of ROLES) expect(['never', 'any', 'own', 'shared', 'all']).toContain(scopeOf(role, operation));
    }
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...OPERATIONS].sort());
  });

  it('serves every operation by exactly one route', () => {
    for (const operation of OPERATIONS) expect(ROUTES.filter((r) => r.operation === operation)).toHaveLength(1);
  });

  it('keeps the auditor read-only', () => {
    const writes = ROUTES.filter((r) => r.method === 'POST' && r.operation);
    for (const route of writes) expect(scopeOf('auditor', route.operation!)).toBe('never');
  });
});
