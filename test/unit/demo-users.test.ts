import { describe, expect, it } from 'vitest';
import {
  authenticateDemoUser,
  DEFAULT_DEMO_PASSWORD,
  DEMO_USERS,
  demoPassword,
  demoPasswordSource,
  stableSub,
} from '../../local/demo-users.js';

describe('demo users', () => {
  it('lists the users of API.md', () => {
    expect(DEMO_USERS.map((u) => [u.username, u.group, 'orgId' in u ? u.orgId : undefined])).toEqual([
      ['buyer1', 'buyer', 'B001'],
      ['buyer2', 'buyer', 'B002'],
      ['factory1', 'factory', 'F001'],
      ['factory2', 'factory', 'F002'],
      ['auditor1', 'auditor', undefined],
      ['admin1', 'admin', undefined],
    ]);
  });

  it('takes the password from LOCAL_DEMO_PASSWORD, else the default', () => {
    expect(demoPassword({})).toBe(DEFAULT_DEMO_PASSWORD);
    expect(demoPassword({ LOCAL_DEMO_PASSWORD: 's3cret' })).toBe('s3cret');
    expect(demoPasswordSource({ LOCAL_DEMO_PASSWORD: 's3cret' })).not.toContain('s3cret');
  });

  it('authenticates only a known user with the exact password', () => {
    expect(authenticateDemoUser('buyer1', 'pw', 'pw')).toMatchObject({ username: 'buyer1' });
    expect(authenticateDemoUser('buyer1', 'pw ', 'pw')).toBeUndefined();
    expect(authenticateDemoUser('buyer1', '', 'pw')).toBeUndefined();
    expect(authenticateDemoUser('nobody', 'pw', 'pw')).toBeUndefined();
    expect(authenticateDemoUser('BUYER1', 'pw', 'pw')).toBeUndefined();
  });

  it('derives a stable, distinct UUID sub per user', () => {
    const subs = DEMO_USERS.map((u) => stableSub(u.username));
    expect(new Set(subs).size).toBe(subs.length);
    for (const sub of subs) expect(sub).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableSub('buyer1')).toBe(stableSub('buyer1'));
  });
});
