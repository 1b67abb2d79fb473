/** Sealing of personal fields (AES-256-GCM per user) and the session rules, as pure units. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openValue, sealValue } from '../../functions/adapters/dynamo-personal-data-vault.js';
import { ERASED_USERNAME, isSealed } from '../../functions/core/personal-data.js';
import { refusal } from '../../functions/middleware/session-freshness.js';
import type { AuditEvent } from '../../functions/schemas/audit.js';
import { memoryVault } from '../support/memory-vault.js';

const event = (userId: string, username: string): AuditEvent => ({
  eventId: `evt-${userId}`,
  occurredAt: '2026-12-02T10:00:00.000Z',
  action: 'request.read',
  outcome: 'SUCCESS',
  actor: { userId, role: 'buyer', orgId: 'B001', username },
  resource: { type: 'request', id: 'req-1' },
  statusCode: 200,
  correlationId: 'c-1',
  sourceIp: '203.0.113.9',
  userAgent: 'curl/8',
});

describe('sealed values', () => {
  it('open only with the same key and the same user id, and never seal alike twice', () => {
    const key = randomBytes(32);
    const sealed = sealValue(key, 'u-1', 'erin');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('erin');
    expect(openValue(key, 'u-1', sealed)).toBe('erin');
    expect(openValue(key, 'u-2', sealed)).toBeUndefined();
    expect(openValue(randomBytes(32), 'u-1', sealed)).toBeUndefined();
    expect(sealValue(key, 'u-1', 'erin')).not.toBe(sealed);
    // Padded to 32-byte blocks: a 4- and a 30-character name seal to the same length.
    expect(sealValue(key, 'u-1', 'x'.repeat(30)).length).toBe(sealed.length);
    expect(openValue(key, 'u-1', sealValue(key, 'u-1', 'x'.repeat(33)))).toBe('x'.repeat(33));
    expect(openValue(key, 'u-1', sealValue(key, 'u-1', ''))).toBe('');
    const altered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(openValue(key, 'u-1', altered)).toBeUndefined();
  });
});

describe('the vault', () => {
  it('seals username, address and agent, reveals them, and leaves system events alone', async () => {
    const vault = memoryVault();
    const stored = await vault.seal(event('u-1', 'erin'));
    expect([stored.actor.username, stored.sourceIp, stored.userAgent].every(isSealed)).toBe(true);
    expect(JSON.stringify(stored)).not.toMatch(/erin|203\.0\.113\.9|curl/);
    expect(stored).toMatchObject({ actor: { userId: 'u-1', role: 'buyer', orgId: 'B001' }, resource: { id: 'req-1' } });
    expect(await vault.reveal([stored])).toEqual([event('u-1', 'erin')]);
    const system = { ...event('system', 'system'), sourceIp: undefined, userAgent: undefined };
    expect(await vault.seal(system)).toEqual(system);
    // Events stored before sealing existed read as they were.
    expect(await vault.reveal([event('u-9', 'old')])).toEqual([event('u-9', 'old')]);
  });

  it('reads an actor whose key is gone as erased, without address or agent', async () => {
    const sealer = memoryVault();
    const stored = await sealer.seal(event('u-1', 'erin'));
    const elsewhere = memoryVault(); // a vault without that user's key: what erasure leaves
    const [revealed] = await elsewhere.reveal([stored]);
    expect(revealed!.actor).toEqual({ userId: 'u-1', role: 'buyer', orgId: 'B001', username: ERASED_USERNAME });
    expect(revealed!.sourceIp).toBeUndefined();
    expect(revealed!.userAgent).toBeUndefined();
  });
});

describe('session rules', () => {
  const at = Date.parse('2026-12-02T10:00:00.500Z');
  const iat = (ms: number) => Math.floor(ms / 1000);
  it('refuse a disabled or erased user, a token issued at or before the last change, and a suspended org', () => {
    expect(refusal({}, iat(at))).toBeUndefined();
    expect(refusal({ user: { status: 'ACTIVE', erased: false } }, iat(at))).toBeUndefined();
    expect(refusal({ user: { status: 'DISABLED', erased: false } }, iat(at) + 100)).toMatch(/disabled/);
    expect(refusal({ user: { status: 'ACTIVE', erased: true } }, iat(at) + 100)).toMatch(/erased/);
    const changed = { user: { status: 'ACTIVE' as const, erased: false, revokedAt: new Date(at).toISOString() } };
    expect(refusal(changed, iat(at) - 60)).toMatch(/before/);
    // Issued in the same second as the change: refused (iat has whole seconds; the safe side).
    expect(refusal(changed, iat(at))).toMatch(/before/);
    expect(refusal(changed, iat(at) + 1)).toBeUndefined();
    expect(refusal({ org: { status: 'SUSPENDED' } }, iat(at))).toMatch(/suspended/);
  });
});
