/**
 * Walks the whole permission table through HTTP: every role x every endpoint x own / other
 * tenant. The expected answer and audit outcome derive from PERMISSIONS, not from a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type Route } from '../../functions/api/routes.js';
import { OPERATION_SCHEMAS, type OperationSchemas } from '../../functions/api/operation-schemas.js';
import { scopeOf, type Operation, type Role } from '../../functions/core/permissions.js';
import { DEMO_USERS, type DemoUsername } from '../../local/demo-users.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { markFileAvailable, markPackReady } from '../support/evidence-files.js';

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
  /** The buyer org of the request (the factory's pack is shared with it). */
  readonly buyerOrgId: string;
  /** READY packs: the factory's (shared with the buyer org) and the buyer's own, each with a share link. */
  readonly factoryPack: { readonly packId: string; readonly linkId: string; readonly token: string };
  readonly buyerPack: { readonly packId: string; readonly linkId: string; readonly token: string };
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
  const evidenceId = evidence.body.evidenceId;
  const pack = async (as: DemoUsername, body: Record<string, unknown>) => {
    const created = await api.call('POST', '/v1/packs', { as, body: { title: 'walk', items: [{ evidenceId, version: 1 }], ...body } });
    expect(created.status).toBe(202);
    await markPackReady(api.table, created.body.packId);
    const link = await api.call('POST', `/v1/packs/${created.body.packId}/links`, { as, body: {} });
    expect(link.status).toBe(201);
    return { packId: created.body.packId as string, linkId: link.body.linkId as string, token: link.body.token as string };
  };
  return {
    requestId: request.body.requestId,
    fulfilledItemId: fulfilled.itemId,
    pendingItemId: pending.itemId,
    evidenceId,
    buyerOrgId: `B00${tenant}`,
    factoryPack: await pack(FACTORY[tenant], { sharedWithOrgId: `B00${tenant}` }),
    buyerPack: await pack(BUYER[tenant], {}),
  };
}

const BODIES: Partial<Record<Operation, (w: World, role: Role) => unknown>> = {
  createRequest: () => ({ factoryId: 'F001', title: 'walk', items: [{ docType: 'certificate' }] }),
  fulfilItem: (w) => ({ evidenceId: w.evidenceId, version: 1 }),
  reviewItem: () => ({ decision: 'ACCEPT' }),
  cancelRequest: () => ({}),
  createEvidence: () => ({ name: 'walk', docType: 'certificate' }),
  addEvidenceVersion: () => ({}),
  createPack: (w, role) => ({ title: 'walk', items: [{ evidenceId: w.evidenceId, version: 1 }], ...(role === 'factory' && { sharedWithOrgId: w.buyerOrgId }) }),
  createShareLink: () => ({}),
  revokeShareLink: () => ({}),
};

function pathFor(route: Route, w: World, role: Role): string {
  const itemId = route.operation === 'fulfilItem' ? w.pendingItemId : w.fulfilledItemId;
  // Upload URLs are for the file still PENDING_UPLOAD (v2); downloads for the shared, AVAILABLE one (v1).
  const version = route.operation === 'issueUploadUrl' ? '2' : '1';
  // A buyer walks its own pack (links are the owner org's); everyone else the factory's.
  const pack = role === 'buyer' ? w.buyerPack : w.factoryPack;
  return route.path
    .replace('{requestId}', w.requestId)
    .replace('{itemId}', itemId)
    .replace('{evidenceId}', w.evidenceId)
    .replace('{version}', version)
    .replace('{packId}', pack.packId)
    .replace('{linkId}', pack.linkId)
    .replace('{token}', pack.token);
}

const PAGES = new Set<Operation>(['listRequests', 'listFactoryRequests', 'listEvidence', 'getRequestHistory', 'listPacks']);
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
  const ok = (OPERATION_SCHEMAS[c.route.operation!] as OperationSchemas).status ?? 200;
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
      const body = BODIES[c.route.operation!]?.(w, role.group);
      const answer = await api.call(c.route.method, pathFor(c.route, w, role.group), { as: c.user, ...(body !== undefined && { body }) });
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
          const orgs = item.actor ? [item.actor.orgId] : item.packId ? [item.ownerOrgId, item.sharedWithOrgId] : [item.buyerOrgId, item.factoryId];
          expect.soft(orgs.some((org: string) => tenantOrgs.includes(org)), JSON.stringify(item)).toBe(true);
        }
      }
    }
    expect(results.length).toBe(cases.length);
  }, 180_000);
});
