/**
 * Changes bite within 60 s (API.md 1.1): a changed role, a changed organisation, a disabled
 * user and a suspended organisation refuse every token issued before the change with
 * `401 invalid_token`, on every route group, through HTTP. The session cache's clock is
 * injected, so the test moves it past the cache's age instead of sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSessionStates } from '../../functions/adapters/dynamo-session-states.js';
import { dynamodbClient } from '../../functions/composition/root.js';
import { createSessionFreshness, DEFAULT_FRESHNESS_MS, MAX_FRESHNESS_MS } from '../../functions/middleware/session-freshness.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
beforeAll(async () => {
  api = await startTestApi((config) => ({
    sessions: createSessionFreshness({ states: new DynamoSessionStates(dynamodbClient(config), config.tableName), now: clock }),
  }));
});
afterAll(() => api.stop());

/** One GET per route group. */
const ONE_PER_GROUP = ['/v1/me', '/v1/requests', '/v1/evidence', '/v1/audit', '/v1/organisations'];
let n = 0;

async function member(role: 'buyer' | 'factory', orgId: string) {
  const username = `fresh-${Date.now().toString(36)}-${n++}`;
  const created = await api.call('POST', '/v1/users', { as: 'admin1', body: { username, email: `${username}@example.com`, role, orgId } });
  expect(created.status).toBe(201);
  const user = created.body as { userId: string };
  // Issued a few seconds before anything changes.
  const token = await api.tokens.issuer.sign({
    ...api.tokens.issuer.accessClaims({ username, group: role, orgId, userId: user.userId }),
    iat: Math.floor(Date.now() / 1000) - 5,
  });
  return { ...user, username, token };
}

/** A token for the same user issued after the change, with their current claims. */
async function newToken(user: { userId: string; username: string }, role: 'buyer' | 'factory' | 'auditor', orgId?: string) {
  return api.tokens.issuer.sign({
    ...api.tokens.issuer.accessClaims({ username: user.username, group: role, ...(orgId && { orgId }), userId: user.userId }),
    iat: Math.floor(Date.now() / 1000) + 2,
  });
}

async function statuses(token: string): Promise<Record<string, number>> {
  const entries = await Promise.all(ONE_PER_GROUP.map(async (path) => [path, (await api.call('GET', path, { token })).status] as const));
  return Object.fromEntries(entries);
}

const refusedEverywhere = Object.fromEntries(ONE_PER_GROUP.map((p) => [p, 401]));

async function expectRevoked(token: string) {
  const answer = await api.call('GET', '/v1/me', { token });
  expect(answer.status).toBe(401);
  expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(answer.body.code).toBe('session-revoked');
  expect(await statuses(token)).toEqual(refusedEverywhere);
}

/** Moves the cache's clock past its age: what a minute of real time does. */
const afterCacheAge = () => (offsetMs += DEFAULT_FRESHNESS_MS + 1);

describe('freshness of sessions', () => {
  it('keeps the cache within the contract\'s 60 s', () => {
    expect(DEFAULT_FRESHNESS_MS).toBeLessThanOrEqual(MAX_FRESHNESS_MS);
    expect(() => createSessionFreshness({ states: { read: async () => ({}) }, maxAgeMs: 61_000 })).toThrow(/60000/);
  });

  it('refuses a token issued before a role change on every route group; a token issued after it works', async () => {
    const user = await member('buyer', 'B001');
    expect((await api.call('GET', '/v1/me', { token: user.token })).body).toMatchObject({ role: 'buyer', orgId: 'B001' });
    expect((await api.call('POST', `/v1/users/${user.userId}/change-role`, { as: 'admin1', body: { role: 'auditor' } })).status).toBe(200);
    afterCacheAge();
    await expectRevoked(user.token);
    const fresh = await newToken(user, 'auditor');
    expect((await api.call('GET', '/v1/me', { token: fresh })).body).toMatchObject({ role: 'auditor' });
    expect((await api.call('GET', '/v1/audit?limit=1', { token: fresh })).status).toBe(200);
  });

  it('refuses a token issued before an organisation change', async () => {
    const user = await member('buyer', 'B001');
    expect((await api.call('GET', '/v1/requests', { token: user.token })).status).toBe(200);
    expect((await api.call('POST', `/v1/users/${user.userId}/change-role`, { as: 'admin1', body: { role: 'buyer', orgId: 'B002' } })).status).toBe(200);
    afterCacheAge();
    await expectRevoked(user.token);
    expect((await api.call('GET', '/v1/me', { token: await newToken(user, 'buyer', 'B002') })).body).toMatchObject({ orgId: 'B002' });
  });

  it('refuses every token of a disabled user, even one issued after the change', async () => {
    const user = await member('factory', 'F001');
    expect((await api.call('GET', '/v1/evidence', { token: user.token })).status).toBe(200);
    expect((await api.call('POST', `/v1/users/${user.userId}/disable`, { as: 'admin1', body: {} })).status).toBe(200);
    afterCacheAge();
    await expectRevoked(user.token);
    expect((await api.call('GET', '/v1/me', { token: await newToken(user, 'factory', 'F001') })).status).toBe(401);
    // Enabled again, a new sign-in works; the old token stays refused.
    expect((await api.call('POST', `/v1/users/${user.userId}/enable`, { as: 'admin1', body: {} })).status).toBe(200);
    afterCacheAge();
    expect((await api.call('GET', '/v1/me', { token: await newToken(user, 'factory', 'F001') })).status).toBe(200);
    expect((await api.call('GET', '/v1/me', { token: user.token })).status).toBe(401);
  });

  it('refuses the users of a suspended organisation while the other party still reads its requests', async () => {
    const factory = await api.call('POST', '/v1/organisations', { as: 'admin1', body: { kind: 'factory', name: 'Soon Suspended Mills' } });
    const factoryId = factory.body.orgId as string;
    const worker = await member('factory', factoryId);
    const request = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId, title: 'Before suspension', items: [{ docType: 'certificate' }] } });
    expect(request.status).toBe(201);
    expect((await api.call('GET', `/v1/requests/${request.body.requestId}`, { token: worker.token })).status).toBe(200);
    expect((await api.call('POST', `/v1/organisations/${factoryId}/suspend`, { as: 'admin1', body: { reason: 'audit failed' } })).status).toBe(200);
    afterCacheAge();
    await expectRevoked(worker.token);
    expect((await api.call('GET', '/v1/me', { token: await newToken(worker, 'factory', factoryId) })).status).toBe(401);
    const read = await api.call('GET', `/v1/requests/${request.body.requestId}`, { as: 'buyer1' });
    expect(read.status).toBe(200);
    expect(read.body.factoryId).toBe(factoryId);
  });

  it('reads the table at most once per user per cache age, not on every call', async () => {
    let reads = 0;
    const states = { read: async () => ((reads += 1), {}) };
    const freshness = createSessionFreshness({ states, now: clock });
    const principal = { userId: 'u-1', username: 'u', role: 'buyer' as const, orgId: 'B001' };
    for (let i = 0; i < 50; i++) await freshness.check(principal, Math.floor(Date.now() / 1000));
    expect(reads).toBe(1);
    afterCacheAge();
    await freshness.check(principal, Math.floor(Date.now() / 1000));
    expect(reads).toBe(2);
  });
});
