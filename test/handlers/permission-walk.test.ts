/**
 * Walks the whole permission table through HTTP: every role x every endpoint x own / other
 * tenant. The expected answer and audit outcome derive from PERMISSIONS, not from a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../functions/api/routes.js';
import { scopeOf, type Operation } from '../../functions/core/permissions.js';
import { randomUUID } from 'node:crypto';
import { DEMO_USERS, stableSub, type DemoUsername } from '../../local/demo-users.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { markFileAvailable } from '../support/evidence-files.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.stop());

type Tenant = 1 | 2;
const BUYER: Record<Tenant, DemoUsername> = { 1: 'buyer1', 2: 'buyer2' };
const FACTORY: Record<Tenant, DemoUsername> = { 1: 'factory1', 2: 'factory2' };
const FACTORY_ID: Record<Tenant, string> = { 1: 'F001', 2: 'F002' };

interface World {
  readonly requestId: string;
  /** FULFILLED, ready for review. */
  readonly fulfilledItemId: string;
  /** PENDING, ready for fulfilment. */
  readonly pendingItemId: string;
  /** The factory's evidence, shared with the buyer by the fulfilment: v1's file AVAILABLE, v2's PENDING_UPLOAD. */
  readonly evidenceId: string;
}

const FILE = { fileName: 'iso-9001.pdf', contentType: 'application/pdf', size: 10, sha256: 'a'.repeat(64) };

/** A request from buyer N to factory N with one fulfilled and one pending item. */
async function world(tenant: Tenant): Promise<World> {
  const evidence = await api.call('POST', '/v1/evidence', { as: FACTORY[tenant], body: { name: 'ISO 9001', docType: 'certificate', file: FILE } });
  await markFileAvailable(api.table, evidence.body.evidenceId, 1);
  expect((await api.call('POST', `/v1/evidence/${evidence.body.evidenceId}/versions`, { as: FACTORY[tenant], body: { file: FILE } })).status).toBe(201);
  const request = await api.call('POST', '/v1/requests', {
    as: BUYER[tenant],
    body: { factoryId: FACTORY_ID[tenant], title: 'walk', items: [{ docType: 'certificate' }, { docType: 'certificate' }] },
  });
  const [fulfilled, pending] = request.body.items;
  const fulfil = await api.call('POST', `/v1/requests/${request.body.requestId}/items/${fulfilled.itemId}/fulfill`, {
    as: FACTORY[tenant],
    body: { evidenceId: evidence.body.evidenceId, version: 1 },
  });
  expect(fulfil.status).toBe(200);
  return { requestId: request.body.requestId, fulfilledItemId: fulfilled.itemId, pendingItemId: pending.itemId, evidenceId: evidence.body.evidenceId };
}

const BODIES: Partial<Record<Operation, (w: World) => unknown>> = {
  createRequest: () => ({ factoryId: 'F001', title: 'walk', items: [{ docType: 'certificate' }] }),
  fulfilItem: (w) => ({ evidenceId: w.evidenceId, version: 1 }),
  reviewItem: () => ({ decision: 'ACCEPT' }),
  cancelRequest: () => ({}),
  createEvidence: () => ({ name: 'walk', docType: 'certificate' }),
  addEvidenceVersion: () => ({}),
  createOrganisation: () => ({ kind: 'buyer', name: 'walk' }),
  suspendOrganisation: () => ({ reason: 'walk' }),
  createUser: () => ({ username: `walk-${randomUUID().slice(0, 8)}`, email: 'walk@example.com', role: 'buyer', orgId: 'B001' }),
  changeUserRole: () => ({ role: 'factory', orgId: 'F001' }),
  disableUser: () => ({}),
  enableUser: () => ({}),
};

/** Directory commands change what they touch: each case gets its own organisation or user. */
const FRESH_TARGET = new Set<Operation>(['suspendOrganisation', 'changeUserRole', 'disableUser', 'enableUser', 'eraseUser']);

async function freshTarget(operation: Operation): Promise<string> {
  if (operation === 'suspendOrganisation') {
    const org = await api.call('POST', '/v1/organisations', { as: 'admin1', body: { kind: 'buyer', name: 'walk target' } });
    return org.body.orgId;
  }
  const user = await api.call('POST', '/v1/users', { as: 'admin1', body: { username: `target-${randomUUID().slice(0, 8)}`, email: 't@example.com', role: 'buyer', orgId: 'B001' } });
  return user.body.userId;
}

/** A directory path's target: the caller's own organisation or user, or the other tenant's. */
function directoryTarget(c: Case, targetTenant: Tenant): { orgId: string; userId: string } {
  const user = DEMO_USERS.find((u) => u.username === c.user)!;
  const own = c.tenant === 'own';
  const otherUser = targetTenant === 1 ? 'buyer1' : 'buyer2';
  return {
    orgId: own && 'orgId' in user ? user.orgId : `B00${targetTenant}`,
    userId: stableSub(own ? c.user : otherUser === c.user ? 'factory2' : otherUser),
  };
}

function pathFor(route: Route, w: World, target: { orgId: string; userId: string } = { orgId: 'B001', userId: 'none' }): string {
  const itemId = route.operation === 'fulfilItem' ? w.pendingItemId : w.fulfilledItemId;
  // Upload URLs are for the file still PENDING_UPLOAD (v2); downloads for the shared, AVAILABLE one (v1).
  const version = route.operation === 'issueUploadUrl' ? '2' : '1';
  return route.path.replace('{requestId}', w.requestId).replace('{itemId}', itemId).replace('{evidenceId}', w.evidenceId).replace('{version}', version).replace('{orgId}', target.orgId).replace('{userId}', target.userId);
}

const PAGES = new Set<Operation>(['listRequests', 'listFactoryRequests', 'listEvidence', 'getRequestHistory']);
const targetsObject = (route: Route) => route.path.includes('{');

interface Case {
  readonly user: DemoUsername;
  readonly route: Route;
  readonly tenant: 'own' | 'other';
}

const cases: Case[] = ROUTES.filter((r) => r.operation).flatMap((route) =>
  DEMO_USERS.flatMap(({ username }) =>
    (targetsObject(route) ? (['own', 'other'] as const) : (['own'] as const)).map((tenant) => ({ user: username, route, tenant })),
  ),
);

function expected(c: Case): { status: number; outcome?: 'SUCCESS' | 'DENIED' } {
  const role = DEMO_USERS.find((u) => u.username === c.user)!.group;
  const scope = scopeOf(role, c.route.operation!);
  const answersOk = ['fulfilItem', 'reviewItem', 'cancelRequest', 'issueUploadUrl', 'suspendOrganisation', 'changeUserRole', 'disableUser', 'enableUser', 'eraseUser'];
  const ok = c.route.method === 'POST' && !answersOk.includes(c.route.operation!) ? 201 : 200;
  const audited = c.route.audit !== undefined;
  const answer = (status: number, outcome: 'SUCCESS' | 'DENIED') => (audited ? { status, outcome } : { status });
  if (scope === 'never') return answer(403, 'DENIED');
  if (scope === 'own' || scope === 'shared') return c.tenant === 'own' ? answer(ok, 'SUCCESS') : answer(404, 'DENIED');
  return answer(ok, 'SUCCESS');
}

describe('the permission table, walked through HTTP', () => {
  it(`gives every role x endpoint x tenant its answer and audit outcome (${cases.length} cases)`, async () => {
    const shared = { 1: await world(1), 2: await world(2) };
    const results: string[] = [];
    for (const c of cases) {
      const role = DEMO_USERS.find((u) => u.username === c.user)!;
      const ownTenant: Tenant = 'orgId' in role && role.orgId?.endsWith('2') ? 2 : 1;
      const targetTenant: Tenant = c.tenant === 'own' ? ownTenant : ownTenant === 1 ? 2 : 1;
      const mutates = c.route.method === 'POST' && targetsObject(c.route);
      const w = mutates ? await world(targetTenant) : shared[targetTenant];
      const body = BODIES[c.route.operation!]?.(w);
      const target = directoryTarget(c, targetTenant);
      if (FRESH_TARGET.has(c.route.operation!)) {
        const id = await freshTarget(c.route.operation!);
        Object.assign(target, c.route.operation === 'suspendOrganisation' ? { orgId: id } : { userId: id });
      }
      const answer = await api.call(c.route.method, pathFor(c.route, w, target), { as: c.user, ...(body !== undefined && { body }) });
      const want = expected(c);
      const events = (await api.auditEvents()).filter((e) => e.correlationId === answer.requestId);
      const got = { status: answer.status, ...(events[0] && { outcome: events[0].outcome }) };
      results.push(`${c.user} ${c.route.method} ${c.route.path} (${c.tenant}): ${JSON.stringify(got)} want ${JSON.stringify(want)} events=${events.length}`);
      expect.soft(got, `${c.user} ${c.route.method} ${c.route.path} (${c.tenant})`).toEqual(want);
      expect.soft(events.length, `audit events of ${c.user} ${c.route.method} ${c.route.path}`).toBe(c.route.audit ? 1 : 0);
      if (answer.status === 200 && PAGES.has(c.route.operation!) && scopeOf(role.group, c.route.operation!) === 'own') {
        // Nothing of the other tenant leaks into a list or a history.
        const tenantOrgs = [`B00${targetTenant}`, `F00${targetTenant}`];
        for (const item of answer.body.items) {
          const orgs = item.actor ? [item.actor.orgId] : [item.buyerOrgId, item.factoryId];
          expect.soft(orgs.some((org: string) => tenantOrgs.includes(org)), JSON.stringify(item)).toBe(true);
        }
      }
    }
    expect(results.length).toBe(cases.length);
  }, 180_000);
});
