/** The directory through HTTP: organisations, users, invitations and the guard rails (API.md 1.1). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityDirectory } from '../../functions/core/ports.js';
import { identityDirectory } from '../../functions/composition/directory.js';
import type { MailOutbox } from '../../local/mail-outbox.js';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/composition/table.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
/** Stands in for "this is the last active admin" when a test says so. */
let lastAdmin = false;
beforeAll(async () => {
  api = await startTestApi({
    identities: new Proxy({} as IdentityDirectory, {
      get: (_target, name: keyof IdentityDirectory) => {
        const real = identityDirectory(api.config);
        if (name === 'activeAdminCount') return async () => (lastAdmin ? 1 : real.activeAdminCount());
        return real[name].bind(real);
      },
    }),
  });
});
afterAll(() => api.stop());

const mailbox = () => api.config.mail as MailOutbox;
let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

async function newUser(role: string, orgId?: string) {
  const username = unique(`u-${role}-`);
  const created = await api.call('POST', '/v1/users', { as: 'admin1', body: { username, email: `${username}@example.com`, role, ...(orgId && { orgId }) } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { userId: string; username: string; role: string; orgId?: string };
}

describe('organisations', () => {
  it('lets an admin register an organisation that buyers then find by name prefix, with public fields only', async () => {
    const name = unique('Zeta Knitwear ');
    const created = await api.call('POST', '/v1/organisations', { as: 'admin1', body: { kind: 'factory', name, country: 'PT' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'factory', name, country: 'PT', status: 'ACTIVE' });
    expect(created.body.orgId).toMatch(/^F[0-9A-Z]{10}$/);
    expect(created.headers.get('location')).toBe(`/v1/organisations/${created.body.orgId}`);

    const found = await api.call('GET', `/v1/organisations?q=${encodeURIComponent(name.slice(0, 8).toLowerCase())}`, { as: 'buyer1' });
    expect(found.status).toBe(200);
    expect(found.body.items).toContainEqual({ orgId: created.body.orgId, kind: 'factory', name, country: 'PT' });

    const listed = await api.call('GET', '/v1/organisations?limit=100', { as: 'buyer1' });
    const ids = listed.body.items.map((o: { orgId: string }) => o.orgId);
    expect(ids).toEqual(expect.arrayContaining(['B001', 'F001', 'F002']));
    expect(ids).not.toContain('B002');
    expect(listed.body.items.find((o: { orgId: string }) => o.orgId === 'B001')).toMatchObject({ status: 'ACTIVE' });
    expect(listed.body.items.find((o: { orgId: string }) => o.orgId === 'F001').status).toBeUndefined();

    const all = await api.call('GET', '/v1/organisations?kind=buyer&limit=100', { as: 'auditor1' });
    expect(all.body.items.map((o: { orgId: string }) => o.orgId)).toEqual(expect.arrayContaining(['B001', 'B002']));
    expect(all.body.items.every((o: { kind: string }) => o.kind === 'buyer')).toBe(true);
  });

  it('hides another buyer organisation from a buyer (404) and shows factories to everyone', async () => {
    expect((await api.call('GET', '/v1/organisations/B002', { as: 'buyer1' })).status).toBe(404);
    expect((await api.call('GET', '/v1/organisations/B002', { as: 'factory1' })).status).toBe(404);
    expect((await api.call('GET', '/v1/organisations/F002', { as: 'buyer1' })).body).toEqual({ orgId: 'F002', kind: 'factory', name: 'Delta Garments' });
    expect((await api.call('GET', '/v1/organisations/B002', { as: 'admin1' })).body).toMatchObject({ orgId: 'B002', status: 'ACTIVE' });
    expect((await api.call('GET', '/v1/organisations/NOPE', { as: 'admin1' })).status).toBe(404);
    expect((await api.call('POST', '/v1/organisations', { as: 'buyer1', body: { kind: 'buyer', name: 'x' } })).status).toBe(403);
  });

  it('suspends an ACTIVE organisation once (409 after), audited with the reason', async () => {
    const org = await api.call('POST', '/v1/organisations', { as: 'admin1', body: { kind: 'buyer', name: unique('Suspended ') } });
    const suspended = await api.call('POST', `/v1/organisations/${org.body.orgId}/suspend`, { as: 'admin1', body: { reason: 'contract ended' } });
    expect(suspended.status).toBe(200);
    expect(suspended.body.status).toBe('SUSPENDED');
    const again = await api.call('POST', `/v1/organisations/${org.body.orgId}/suspend`, { as: 'admin1', body: { reason: 'again' } });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('organisation-suspended');
    const event = (await api.auditEvents()).find((e) => e.correlationId === suspended.requestId);
    expect(event).toMatchObject({ action: 'organisation.suspend', outcome: 'SUCCESS', resource: { type: 'organisation', id: org.body.orgId } });
    expect(event?.changes).toMatchObject({ status: { from: 'ACTIVE', to: 'SUSPENDED' }, reason: 'contract ended' });
    const invite = await api.call('POST', '/v1/users', { as: 'admin1', body: { username: unique('late-'), email: 'late@example.com', role: 'buyer', orgId: org.body.orgId } });
    expect(invite.status).toBe(409);
    expect(invite.body.code).toBe('organisation-suspended');
  });
});

describe('users', () => {
  it('invites a user: 201, an e-mail with a temporary password in the local mail folder, and a sign-in that works', async () => {
    const username = unique('newbuyer');
    const created = await api.call('POST', '/v1/users', { as: 'admin1', body: { username, email: `${username}@example.com`, role: 'buyer', orgId: 'B001' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username, email: `${username}@example.com`, role: 'buyer', orgId: 'B001', status: 'ACTIVE' });
    const mail = (await mailbox().list()).find((m) => m.to === `${username}@example.com`);
    expect(mail?.subject).toBe('Your evidence requests account');
    const password = /Temporary password: (\S+)/.exec(mail!.text)?.[1];
    expect(password).toBeDefined();
    const signedIn = await api.config.userStore!.authenticate(username, password!, 'not-the-demo-password');
    expect(signedIn).toMatchObject({ userId: created.body.userId, group: 'buyer', orgId: 'B001' });
    const event = (await api.auditEvents()).find((e) => e.correlationId === created.requestId);
    expect(event).toMatchObject({ action: 'user.create', outcome: 'SUCCESS', resource: { type: 'user', id: created.body.userId } });
    // The audit event names the new user by id only.
    expect(JSON.stringify(event)).not.toContain(username);
  });

  it('requires an organisation of the role\'s kind for buyers and factories, and none for auditors and admins', async () => {
    const body = (role: string, orgId?: string) => ({ username: unique('kind'), email: 'k@example.com', role, ...(orgId && { orgId }) });
    for (const [role, orgId] of [['buyer', 'F001'], ['factory', 'B001'], ['buyer', undefined], ['factory', 'F999'], ['auditor', 'B001']] as const) {
      const answer = await api.call('POST', '/v1/users', { as: 'admin1', body: body(role, orgId) });
      expect(answer.status, `${role} ${orgId}`).toBe(400);
      expect(answer.body.code).toBe('organisation-kind-mismatch');
      expect(answer.body.errors[0].path).toBe('/orgId');
    }
    const taken = await api.call('POST', '/v1/users', { as: 'admin1', body: { username: 'buyer1', email: 'b@example.com', role: 'buyer', orgId: 'B001' } });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('username-taken');
  });

  it('lists every user to an admin and only the own organisation\'s members (id, name, role) to a buyer', async () => {
    const member = await newUser('factory', 'F002');
    const admin = await api.call('GET', '/v1/users?orgId=F002&limit=100', { as: 'admin1' });
    expect(admin.body.items.map((u: { userId: string }) => u.userId)).toContain(member.userId);
    expect(admin.body.items[0]).toHaveProperty('email');
    const own = await api.call('GET', '/v1/users?limit=100', { as: 'factory2' });
    expect(own.body.items).toContainEqual({ userId: member.userId, username: member.username, role: 'factory' });
    expect(own.body.items.every((u: Record<string, unknown>) => Object.keys(u).sort().join() === 'role,userId,username')).toBe(true);
    expect((await api.call('GET', '/v1/users?orgId=F002', { as: 'factory1' })).body.items).toEqual([]);
    expect((await api.call('GET', '/v1/users', { as: 'auditor1' })).status).toBe(403);
    const admins = await api.call('GET', '/v1/users?role=admin', { as: 'admin1' });
    expect(admins.body.items.every((u: { role: string }) => u.role === 'admin')).toBe(true);
  });

  it('changes a role and an organisation, disables and enables, each audited', async () => {
    const user = await newUser('buyer', 'B001');
    const moved = await api.call('POST', `/v1/users/${user.userId}/change-role`, { as: 'admin1', body: { role: 'factory', orgId: 'F001' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ role: 'factory', orgId: 'F001' });
    const auditor = await api.call('POST', `/v1/users/${user.userId}/change-role`, { as: 'admin1', body: { role: 'auditor' } });
    expect(auditor.body.role).toBe('auditor');
    expect(auditor.body.orgId).toBeUndefined();
    expect((await api.config.userStore!.find(user.username))).toMatchObject({ group: 'auditor' });
    expect((await api.config.userStore!.find(user.username))?.orgId).toBeUndefined();
    const disabled = await api.call('POST', `/v1/users/${user.userId}/disable`, { as: 'admin1', body: { reason: 'left the company' } });
    expect(disabled.body.status).toBe('DISABLED');
    expect((await api.config.userStore!.find(user.username))?.enabled).toBe(false);
    const enabled = await api.call('POST', `/v1/users/${user.userId}/enable`, { as: 'admin1', body: {} });
    expect(enabled.body.status).toBe('ACTIVE');
    const events = (await api.auditEvents()).filter((e) => e.resource.id === user.userId).map((e) => [e.action, e.changes]);
    expect(events).toEqual(
      expect.arrayContaining([
        ['user.change-role', { role: { from: 'buyer', to: 'factory' }, orgId: { from: 'B001', to: 'F001' } }],
        ['user.change-role', { role: { from: 'factory', to: 'auditor' }, orgId: { from: 'F001', to: null } }],
        ['user.disable', { status: { from: 'ACTIVE', to: 'DISABLED' }, reason: 'left the company' }],
        ['user.enable', { status: { from: 'DISABLED', to: 'ACTIVE' } }],
      ]),
    );
    expect((await api.call('POST', '/v1/users/nobody/disable', { as: 'admin1', body: {} })).status).toBe(404);
  });

  it('refuses an admin demoting, disabling or erasing themselves, and removing the last active admin (409)', async () => {
    const me = (await api.call('GET', '/v1/me', { as: 'admin1' })).body.userId as string;
    for (const [path, body] of [['change-role', { role: 'auditor' }], ['disable', {}], ['erase', undefined]] as const) {
      const answer = await api.call('POST', `/v1/users/${me}/${path}`, { as: 'admin1', ...(body && { body }) });
      expect(answer.status, path).toBe(409);
      expect(answer.body.code).toBe('self-change-forbidden');
    }
    const other = await newUser('admin');
    lastAdmin = true;
    try {
      const demote = await api.call('POST', `/v1/users/${other.userId}/change-role`, { as: 'admin1', body: { role: 'auditor' } });
      expect(demote.status).toBe(409);
      expect(demote.body.code).toBe('last-admin');
      expect((await api.call('POST', `/v1/users/${other.userId}/disable`, { as: 'admin1', body: {} })).body.code).toBe('last-admin');
    } finally {
      lastAdmin = false;
    }
    expect((await api.call('POST', `/v1/users/${other.userId}/change-role`, { as: 'admin1', body: { role: 'auditor' } })).status).toBe(200);
  });

  it('never lets two admins who demote each other at once both succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await newUser('admin');
      const b = await newUser('admin');
      const tokenOf = (u: { userId: string; username: string }) => api.tokens.issuer.accessToken({ username: u.username, group: 'admin', userId: u.userId });
      const [ta, tb] = await Promise.all([tokenOf(a), tokenOf(b)]);
      const answers = await Promise.all([
        api.call('POST', `/v1/users/${b.userId}/change-role`, { token: ta, body: { role: 'auditor' } }),
        api.call('POST', `/v1/users/${a.userId}/change-role`, { token: tb, body: { role: 'auditor' } }),
      ]);
      const statuses = answers.map((x) => x.status).sort();
      // One wins; the other is refused: 403 (no longer an admin), or 401 once its session is seen revoked.
      expect(statuses, JSON.stringify(answers.map((x) => x.body))).not.toEqual([200, 200]);
      const records = await Promise.all([a, b].map(async (u) => (await api.call('GET', `/v1/users/${u.userId}/data-export`, { as: 'admin1' })).body.profile.role));
      expect(records).toContain('admin');
      const identities = await Promise.all([a, b].map(async (u) => (await api.config.userStore!.find(u.username))!.group));
      expect(identities).toEqual(records);
    }
  });
});

describe('readable audit', () => {
  it('names every actor by username and finds their events by actorUsername, in the audit read and in a history', async () => {
    const created = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'Readable', items: [{ docType: 'certificate' }] } });
    await api.call('GET', `/v1/requests/${created.body.requestId}`, { as: 'factory1' });
    const factory1 = (await api.call('GET', '/v1/me', { as: 'factory1' })).body.userId as string;
    const byName = await api.call('GET', '/v1/audit?actorUsername=factory1&limit=100', { as: 'auditor1' });
    expect(byName.status).toBe(200);
    expect(byName.body.items.length).toBeGreaterThan(0);
    expect(byName.body.items.every((e: { actor: { userId: string; username: string } }) => e.actor.userId === factory1 && e.actor.username === 'factory1')).toBe(true);
    expect((await api.call('GET', `/v1/audit?actorUsername=factory1&actorId=${factory1}&limit=1`, { as: 'auditor1' })).body.items).toHaveLength(1);
    expect((await api.call('GET', '/v1/audit?actorUsername=factory1&actorId=someone-else', { as: 'auditor1' })).body.items).toEqual([]);
    expect((await api.call('GET', '/v1/audit?actorUsername=nobody-here', { as: 'auditor1' })).body.items).toEqual([]);
    const history = await api.call('GET', `/v1/requests/${created.body.requestId}/history?actorUsername=buyer1`, { as: 'factory1' });
    expect(history.status).toBe(200);
    expect(history.body.items.map((e: { action: string; actor: { username: string } }) => [e.action, e.actor.username])).toEqual([['request.create', 'buyer1']]);
    // In the table the name is sealed.
    const stored = (await api.auditEvents()).find((e) => e.correlationId === created.requestId)!;
    expect(stored.actor.username).toMatch(/^sealed:v1:/);
  });
});

describe('privacy requests', () => {
  it('exports a user\'s own data to them (another user\'s is 404) and anyone\'s to an admin', async () => {
    const me = (await api.call('GET', '/v1/me', { as: 'buyer1' })).body.userId as string;
    const mine = await api.call('POST', '/v1/requests', { as: 'buyer1', body: { factoryId: 'F001', title: 'Mine', items: [{ docType: 'certificate' }] } });
    const comment = await api.call('POST', `/v1/requests/${mine.body.requestId}/comments`, { as: 'buyer1', body: { text: 'Mine to export' } });
    expect(comment.status).toBe(201);
    await api.call('POST', `/v1/requests/${mine.body.requestId}/comments`, { as: 'factory1', body: { text: 'Not theirs' } });
    const own = await api.call('GET', `/v1/users/${me}/data-export`, { as: 'buyer1' });
    expect(own.status).toBe(200);
    expect(own.body.profile).toMatchObject({ userId: me, username: 'buyer1', email: 'buyer1@example.com', role: 'buyer', orgId: 'B001' });
    expect(own.body.requests.length).toBeGreaterThan(0);
    expect(own.body.requests.every((r: { createdBy: string }) => r.createdBy === me)).toBe(true);
    // The comments they wrote, not the other party's on the same request; their inbox.
    expect(own.body.comments.map((c: { commentId: string }) => c.commentId)).toContain(comment.body.commentId);
    expect(own.body.comments.every((c: { author: { userId: string } }) => c.author.userId === me)).toBe(true);
    expect(Array.isArray(own.body.notifications)).toBe(true);
    expect(own.body.auditEvents.length).toBeGreaterThan(0);
    expect(own.body.auditEvents.every((e: { actor: { userId: string; username: string } }) => e.actor.userId === me && e.actor.username === 'buyer1')).toBe(true);
    const other = (await api.call('GET', '/v1/me', { as: 'buyer2' })).body.userId as string;
    expect((await api.call('GET', `/v1/users/${other}/data-export`, { as: 'buyer1' })).status).toBe(404);
    expect((await api.call('GET', `/v1/users/${other}/data-export`, { as: 'admin1' })).body.profile.username).toBe('buyer2');
  });

  it('erases: identity gone, record pseudonymised, username freed, key destroyed; the events stay, unlinkable', async () => {
    const user = await newUser('factory', 'F001');
    const token = await api.tokens.issuer.accessToken({ username: user.username, group: 'factory', orgId: 'F001', userId: user.userId });
    expect((await api.call('GET', '/v1/evidence', { token })).status).toBe(200);
    const erased = await api.call('POST', `/v1/users/${user.userId}/erase`, { as: 'admin1' });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ userId: user.userId, erasedAt: expect.any(String) });

    const items = await scanTable();
    const record = items.find((i) => i.pk === `USER#${user.userId}`)!;
    expect(record).toMatchObject({ status: 'DISABLED', role: 'factory', orgId: 'F001', erasedAt: erased.body.erasedAt });
    expect(record.username).toMatch(/^erased-[0-9a-f]{16}$/);
    expect(record.email).toBe(`${record.username}@erased.invalid`);
    expect(items.some((i) => i.pk === `USERNAME#${user.username}`)).toBe(false);
    const key = items.find((i) => i.pk === `USERKEY#${user.userId}`)!;
    expect(key.key).toBeUndefined();
    expect(key.destroyedAt).toBe(erased.body.erasedAt);
    expect(await api.config.userStore!.find(user.username)).toBeUndefined();
    // Nothing in the table names the person any more.
    expect(JSON.stringify(items)).not.toContain(user.username);

    const theirs = (await api.auditEvents()).filter((e) => e.actor.userId === user.userId);
    expect(theirs.length).toBeGreaterThan(0);
    const answered = (await api.call('GET', `/v1/audit?actorId=${user.userId}&limit=100`, { as: 'auditor1' })).body.items;
    expect(answered.length).toBe(theirs.length);
    for (const e of answered) expect(e.actor).toEqual({ userId: user.userId, role: 'factory', orgId: 'F001', username: '(erased)' });
    expect((await api.call('GET', `/v1/audit?actorUsername=${user.username}`, { as: 'auditor1' })).body.items).toEqual([]);

    const again = await api.call('POST', `/v1/users/${user.userId}/erase`, { as: 'admin1' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('user-erased');
    expect((await api.call('POST', `/v1/users/${user.userId}/enable`, { as: 'admin1', body: {} })).body.code).toBe('user-erased');
    // The name is free again, for someone else.
    const reuse = await api.call('POST', '/v1/users', { as: 'admin1', body: { username: user.username, email: 'new@example.com', role: 'buyer', orgId: 'B001' } });
    expect(reuse.status).toBe(201);
    expect(reuse.body.userId).not.toBe(user.userId);
  });
});

async function scanTable(): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient(api.config).send(new ScanCommand({ TableName: api.table.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
