/**
 * Walks every role x every endpoint x own / other tenant through HTTP. The expected answer
 * and audit outcome come from the hand-written access oracle (test/support/access-oracle.ts,
 * written from API.md), never from the permission table the handlers enforce, so a wrong
 * row in that table fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAnonymous, ROUTES, type Route } from '../../functions/api/routes.js';
import type { Operation, Role } from '../../functions/core/permissions.js';
import { randomUUID } from 'node:crypto';
import { DEMO_USERS, stableSub, type DemoUsername } from '../../local/demo-users.js';
import { oracleRow, parseAnswer, type Outcome } from '../support/access-oracle.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { markFileAvailable, markPackReady } from '../support/evidence-files.js';
import { inbox } from '../../functions/composition/notifications.js';
import { notificationIdOf } from '../../functions/core/use-cases/notifications.js';

let api: TestApi;
/** Every demo user's inbox holds one notification, of the same event. */
const notificationOf = (user: DemoUsername) => notificationIdOf({ eventId: 'nev_01KWALK0000000000000000000' }, stableSub(user));
beforeAll(async () => {
  api = await startTestApi();
  for (const { username } of DEMO_USERS) {
    await inbox(api.config).deliver({
      notificationId: notificationOf(username),
      userId: stableSub(username),
      eventId: 'nev_01KWALK0000000000000000000',
      event: 'request.created',
      subject: { type: 'request', id: 'req_walk' },
      summary: 'walk',
      createdAt: new Date().toISOString(),
    });
  }
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
  /** A webhook of the buyer org and one of the factory. */
  readonly webhooks: { readonly buyer: string; readonly factory: string };
  /** The buyer org of the request (the factory's pack is shared with it). */
  readonly buyerOrgId: string;
  /** READY packs: the factory's (shared with the buyer org) and the buyer's own, each with a share link. */
  readonly factoryPack: WorldPack;
  readonly buyerPack: WorldPack;
}

interface WorldPack {
  readonly packId: string;
  readonly linkId: string;
  readonly token: string;
}

const WEBHOOK = { url: 'https://hooks.example.com/walk', events: ['request.created'] };

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
  const [buyerHook, factoryHook] = await Promise.all([BUYER[tenant], FACTORY[tenant]].map((as) => api.call('POST', '/v1/webhooks', { as, body: WEBHOOK })));
  expect(buyerHook!.status).toBe(201);
  const evidenceId = evidence.body.evidenceId;
  const pack = async (as: DemoUsername, body: Record<string, unknown>): Promise<WorldPack> => {
    const created = await api.call('POST', '/v1/packs', { as, body: { title: 'walk', items: [{ evidenceId, version: 1 }], ...body } });
    expect(created.status).toBe(202);
    await markPackReady(api.table, created.body.packId);
    const link = await api.call('POST', `/v1/packs/${created.body.packId}/links`, { as, body: {} });
    expect(link.status).toBe(201);
    return { packId: created.body.packId, linkId: link.body.linkId, token: link.body.token };
  };
  return {
    requestId: request.body.requestId,
    fulfilledItemId: fulfilled.itemId,
    pendingItemId: pending.itemId,
    evidenceId: evidence.body.evidenceId,
    webhooks: { buyer: buyerHook!.body.webhookId, factory: factoryHook!.body.webhookId },
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
  createComment: (w) => ({ text: 'walk', itemId: w.pendingItemId }),
  readNotification: () => ({}),
  createWebhook: () => WEBHOOK,
  disableWebhook: () => ({}),
  createOrganisation: () => ({ kind: 'buyer', name: 'walk' }),
  suspendOrganisation: () => ({ reason: 'walk' }),
  createUser: () => ({ username: `walk-${randomUUID().slice(0, 8)}`, email: 'walk@example.com', role: 'buyer', orgId: 'B001' }),
  changeUserRole: () => ({ role: 'factory', orgId: 'F001' }),
  disableUser: () => ({}),
  enableUser: () => ({}),
  createPack: (w, role) => ({ title: 'walk', items: [{ evidenceId: w.evidenceId, version: 1 }], ...(role === 'factory' && { sharedWithOrgId: w.buyerOrgId }) }),
  createShareLink: () => ({}),
  revokeShareLink: () => ({}),
};

/** A buyer walks its own pack (share links are the owner org's alone); everyone else the factory's. */
const packFor = (w: World, role: Role) => (role === 'buyer' ? w.buyerPack : w.factoryPack);

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

/**
 * A directory path's target. Organisations: the caller's own, or the other tenant's buyer org
 * (factories are visible to everyone, so a buyer org is what another tenant must not see).
 * Users: the caller themselves, or a user of the other tenant.
 */
function directoryTarget(c: Case, targetTenant: Tenant): { orgId: string; userId: string } {
  const user = roleOf(c.user);
  const own = c.tenant === 'own';
  const otherUser = user.group === 'factory' ? FACTORY[targetTenant] : BUYER[targetTenant];
  return {
    orgId: own && 'orgId' in user ? user.orgId : `B00${targetTenant}`,
    userId: stableSub(own ? c.user : otherUser === c.user ? FACTORY[targetTenant] : otherUser),
  };
}

function pathFor(route: Route, w: World, c: Case, target: { orgId: string; userId: string }): string {
  // The caller's own notification, or another user's; the caller's org's webhook (a buyer's for auditors and admins).
  const other: DemoUsername = c.user === 'buyer2' ? 'buyer1' : 'buyer2';
  const notificationId = notificationOf(c.tenant === 'own' ? c.user : other);
  const webhookId = roleOf(c.user).group === 'factory' ? w.webhooks.factory : w.webhooks.buyer;
  const itemId = route.operation === 'fulfilItem' ? w.pendingItemId : w.fulfilledItemId;
  // Upload URLs are for the file still PENDING_UPLOAD (v2); downloads for the shared, AVAILABLE one (v1).
  const version = route.operation === 'issueUploadUrl' ? '2' : '1';
  const pack = packFor(w, roleOf(c.user).group);
  return route.path
    .replace('{requestId}', w.requestId)
    .replace('{itemId}', itemId)
    .replace('{evidenceId}', w.evidenceId)
    .replace('{version}', version)
    .replace('{notificationId}', notificationId)
    .replace('{webhookId}', webhookId)
    .replace('{orgId}', target.orgId)
    .replace('{userId}', target.userId)
    .replace('{packId}', pack.packId)
    .replace('{linkId}', pack.linkId)
    .replace('{token}', pack.token);
}

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

const roleOf = (user: DemoUsername) => DEMO_USERS.find((u) => u.username === user)!;
const cellOf = (c: Case) => oracleRow(c.route.operation!)[roleOf(c.user).group];

/** The answer the oracle promises: on the own or other tenant's object, or the call itself for an endpoint without one. */
function expected(c: Case): { status: number; outcome?: Outcome } {
  const cell = cellOf(c);
  const answer = c.tenant === 'other' ? cell.other : cell.own;
  if (answer === 'n/a' || answer === 'hidden' || answer === 'shown') throw new Error(`The oracle's ${c.route.operation} row needs an answer for another tenant's object`);
  return parseAnswer(answer);
}

/** The organisations an answered item belongs to (requests, evidence, audit events, organisations, users). */
function orgsOf(item: Record<string, any>): string[] {
  return [item.buyerOrgId, item.factoryId, item.actor?.orgId, item.author?.orgId, item.orgId, item.ownerOrgId, item.sharedWithOrgId].filter((org): org is string => typeof org === 'string');
}

/** Lists whose own-view items may lawfully lie outside the caller's organisation (API.md 1.1). */
function listedLawfully(operation: Operation, item: Record<string, any>, orgId: string | undefined): boolean {
  // Every signed-in user finds the factories.
  if (operation === 'listOrganisations') return item.kind === 'factory';
  // A member list shows userId, username and role only: it must name no demo user of another organisation.
  if (operation === 'listUsers') return !DEMO_USERS.some((u) => 'orgId' in u && u.orgId !== orgId && stableSub(u.username) === item.userId);
  return false;
}

/** The items of a page answer (`{items, nextCursor?}`), else undefined. */
function pageItems(body: unknown): Record<string, any>[] | undefined {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { items?: unknown }).items)) return undefined;
  return Object.keys(body).every((key) => key === 'items' || key === 'nextCursor') ? (body as { items: Record<string, any>[] }).items : undefined;
}

const tenantOrgs = (tenant: Tenant) => [`B00${tenant}`, `F00${tenant}`];

/** Runs `work` over `items`, `width` at a time. */
async function inPool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/** The call's audit events, by its correlation id; waits briefly for an index that lags. */
async function auditEventsOf(correlationId: string, user: DemoUsername | 'anonymous', since: Date, expectedCount: number) {
  for (let attempt = 0; ; attempt += 1) {
    const events = await api.auditEventsOf(correlationId, user, since);
    if (events.length >= expectedCount || attempt === 20) return events;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const operations = [...new Set(cases.map((c) => c.route.operation!))];

describe('the access oracle, walked through HTTP', () => {
  let shared: Record<Tenant, World>;
  beforeAll(async () => {
    shared = { 1: await world(1), 2: await world(2) };
  }, 180_000);

  // One test per operation (each role x tenant), so every endpoint the API gains adds a test of its own.
  it.each(operations)('%s: every role x tenant gets the answer and audit outcome API.md promises', async (operation) => {
    const ofOperation = cases.filter((c) => c.route.operation === operation);
    let walked = 0;
    await inPool(ofOperation, 4, async (c) => {
      const role = roleOf(c.user);
      const ownTenant: Tenant = 'orgId' in role && role.orgId?.endsWith('2') ? 2 : 1;
      const targetTenant: Tenant = c.tenant === 'own' ? ownTenant : ownTenant === 1 ? 2 : 1;
      // A fresh world only where the oracle promises a change; a refusal changes nothing, so it
      // can use the shared one (and a wrong row fails this case whatever it then changed).
      const mutates = c.route.method === 'POST' && targetsObject(c.route) && expected(c).status < 300;
      const w = mutates ? await world(targetTenant) : shared[targetTenant];
      const body = BODIES[c.route.operation!]?.(w, role.group);
      const cell = cellOf(c);
      const query = cell.other === 'shown' ? '?limit=100' : '';
      const since = new Date(Date.now() - 1000);
      const target = directoryTarget(c, targetTenant);
      if (FRESH_TARGET.has(c.route.operation!)) {
        const id = await freshTarget(c.route.operation!);
        Object.assign(target, c.route.operation === 'suspendOrganisation' ? { orgId: id } : { userId: id });
      }
      const answer = await api.call(c.route.method, pathFor(c.route, w, c, target) + query, { as: c.user, ...(body !== undefined && { body }) });
      const want = expected(c);
      const label = `${c.user} ${c.route.method} ${c.route.path} (${c.tenant} tenant)`;
      // A share link's call has no account behind it: its events are the anonymous actor's.
      const events = await auditEventsOf(answer.requestId, isAnonymous(c.route) ? 'anonymous' : c.user, since, want.outcome ? 1 : 0);
      const got = { status: answer.status, ...(events[0] && { outcome: events[0].outcome }) };
      expect.soft(got, label).toEqual(want);
      expect.soft(events.length, `audit events of ${label}`).toBe(want.outcome ? 1 : 0);
      const items = answer.status === 200 ? pageItems(answer.body) : undefined;
      if (items && role.group !== 'auditor' && role.group !== 'admin') {
        // Nothing of another tenant leaks: a list holds the caller's organisation's objects, a history the events of the request's parties.
        const belongs = (item: Record<string, any>) =>
          item.notificationId !== undefined
            ? item.notificationId === notificationOf(c.user) // an inbox holds its owner's notifications only
            : item.linkId !== undefined
              ? item.packId === packFor(w, role.group).packId // a share link belongs to the pack in the path
              : targetsObject(c.route)
              ? orgsOf(item).some((org) => tenantOrgs(targetTenant).includes(org))
              : orgsOf(item).includes(role.orgId) || listedLawfully(c.route.operation!, item, role.orgId);
        for (const item of items) expect.soft(belongs(item), `${label} lists ${JSON.stringify(item)}`).toBe(true);
      }
      if (items && cell.other === 'shown') {
        // An every-tenant list shows both tenants' objects.
        for (const tenant of [1, 2] as const) {
          expect.soft(items.some((item) => orgsOf(item).some((org) => tenantOrgs(tenant).includes(org))), `${label} lists tenant ${tenant}`).toBe(true);
        }
      }
      walked += 1;
    });
    expect(walked).toBe(ofOperation.length);
  }, 180_000);

  it(`walks ${cases.length} cases: every operation of the route table, each role, own and other tenant`, () => {
    expect([...operations].sort()).toEqual(ROUTES.filter((r) => r.operation).map((r) => r.operation!).sort());
  });
});
