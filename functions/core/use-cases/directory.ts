/**
 * Use cases of the directory: organisations and users, administered by admins, and the
 * privacy requests (export, erasure). Each authorizes itself from the permission table.
 * A change of a user or an organisation stamps `revokedAt` (or suspends), so sessions
 * issued before it are refused within the freshness cache's lifetime (middleware/authenticate.ts).
 */
import type {
  ChangeRoleBody,
  CreateOrganisationBody,
  CreateUserBody,
  DataExport,
  EraseResult,
  ListOrganisationsQuery,
  ListUsersQuery,
  Organisation,
  SuspendOrganisationBody,
  User,
  UserStatusBody,
} from '../../schemas/directory.js';
import type { AuditEvent } from '../../schemas/audit.js';
import type { Comment } from '../../schemas/comments.js';
import type { EvidenceRequest } from '../../schemas/requests.js';
import { authorize } from '../access.js';
import { ConflictError, ForbiddenError, HiddenNotFoundError, NotFoundError, ValidationError } from '../errors.js';
import { newOrganisationId, newPseudonym } from '../ids.js';
import type { Inbox } from '../notification-ports.js';
import type { Role } from '../permissions.js';
import type {
  AuditLog,
  CommentRepository,
  DirectoryRepository,
  EvidenceRecord,
  EvidenceRepository,
  IdentityDirectory,
  OrganisationRecord,
  Page,
  PersonalDataVault,
  RequestRepository,
  RevisionGuard,
  StoredUser,
  UserRecord,
} from '../ports.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { withOptimisticRetry } from './optimistic.js';
import { pageOf } from './requests.js';

/** The log event of a privileged role change, which the alarm's metric filter matches (lib/monitoring.ts). */
export const PRIVILEGED_ROLE_EVENT = 'privileged-role-changed';

/** Told of every change of an admin's or an auditor's role (the alarm's source). */
export interface PrivilegedChangeSignal {
  privilegedRoleChanged(change: { readonly userId: string; readonly from: Role; readonly to: Role; readonly by: string; readonly correlationId?: string }): void;
}

export interface DirectoryDeps {
  readonly directory: DirectoryRepository;
  readonly identities: IdentityDirectory;
  readonly signals?: PrivilegedChangeSignal;
  /** Told when a user's personal-data key was destroyed, so this container forgets it at once. */
  readonly vault?: Pick<PersonalDataVault, 'forget'>;
}

export interface ExportDeps extends DirectoryDeps {
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly auditLog: AuditLog;
  readonly comments: Pick<CommentRepository, 'list'>;
  readonly inbox: Pick<Inbox, 'list'>;
}

const PRIVILEGED: readonly Role[] = ['admin', 'auditor'];
const ORG_ROLES: readonly Role[] = ['buyer', 'factory'];

type OrgIds = { readonly orgId: string };
type UserIds = { readonly userId: string };

/** What every signed-in user may know of a factory. */
function publicOrganisation(org: OrganisationRecord): Organisation {
  return { orgId: org.orgId, kind: org.kind, name: org.name, ...(org.country !== undefined && { country: org.country }) };
}

function fullOrganisation(org: OrganisationRecord): Organisation {
  return { ...publicOrganisation(org), status: org.status, createdAt: org.createdAt };
}

export function fullUser(user: UserRecord): User {
  return {
    userId: user.userId,
    username: user.username,
    email: user.email,
    role: user.role,
    ...(user.orgId !== undefined && { orgId: user.orgId }),
    status: user.status,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
}

const memberView = (user: UserRecord): User => ({ userId: user.userId, username: user.username, role: user.role });

/**
 * 1. Admins and auditors list every organisation with every field.
 * 2. Buyers and factories list the factories (public fields) and their own organisation.
 * 3. `kind` and `q` (a case-insensitive name prefix) narrow the list.
 */
export async function listOrganisations(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListOrganisationsQuery>): Promise<Page<Organisation>> {
  const scope = authorize(ctx.principal, 'listOrganisations');
  const { query } = input;
  const own = ctx.principal.orgId;
  const page = await deps.directory.listOrganisations(
    { kind: query.kind, namePrefix: query.q, ...(scope !== 'all' && { visibleTo: { orgId: own } }) },
    pageOf(query),
  );
  return { ...page, items: page.items.map((org) => (scope === 'all' || org.orgId === own ? fullOrganisation(org) : publicOrganisation(org))) };
}

/** As the list: another buyer organisation answers 404 to a buyer or factory, as if absent. */
export async function getOrganisation(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<OrgIds>): Promise<Organisation> {
  const scope = authorize(ctx.principal, 'getOrganisation');
  const org = await deps.directory.getOrganisation(input.path.orgId);
  if (!org) throw new NotFoundError('organisation-not-found', 'No such organisation');
  if (scope === 'all' || org.orgId === ctx.principal.orgId) return fullOrganisation(org);
  if (org.kind === 'factory') return publicOrganisation(org);
  throw new HiddenNotFoundError('organisation-not-found', 'No such organisation');
}

/** 1. Admins only. 2. A fresh id (`B…` or `F…`), ACTIVE, stored with its audit event. */
export async function createOrganisation(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreateOrganisationBody>): Promise<Organisation> {
  authorize(ctx.principal, 'createOrganisation');
  const { body } = input;
  const org: OrganisationRecord = {
    orgId: newOrganisationId(body.kind),
    kind: body.kind,
    name: body.name,
    ...(body.country !== undefined && { country: body.country }),
    status: 'ACTIVE',
    createdAt: ctx.now().toISOString(),
  };
  ctx.audit.identify(org.orgId);
  await ctx.audit.commit({ kind: org.kind, status: 'ACTIVE' }, (event) => deps.directory.createOrganisation(org, event));
  return fullOrganisation(org);
}

/**
 * 1. Admins only; the organisation must be ACTIVE (else 409).
 * 2. It becomes SUSPENDED with its audit event: every token of its users is refused from then
 *    on (within the freshness cache's lifetime); each user's refresh tokens are revoked.
 * 3. Its requests stay as they are: the other party still reads them.
 */
export async function suspendOrganisation(
  deps: DirectoryDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<OrgIds, undefined, SuspendOrganisationBody>,
): Promise<Organisation> {
  authorize(ctx.principal, 'suspendOrganisation');
  const org = await deps.directory.getOrganisation(input.path.orgId);
  if (!org) throw new NotFoundError('organisation-not-found', 'No such organisation');
  if (org.status !== 'ACTIVE') throw new ConflictError('organisation-suspended', `Organisation ${org.orgId} is already ${org.status}`);
  const next: OrganisationRecord = { ...org, status: 'SUSPENDED', suspendedAt: ctx.now().toISOString() };
  await ctx.audit.commit({ status: { from: org.status, to: next.status }, reason: input.body.reason }, (event) => deps.directory.suspendOrganisation(next, event));
  await forEachUser(deps, { orgId: org.orgId }, (user) => (user.erasedAt ? Promise.resolve() : deps.identities.signOut(user)));
  return fullOrganisation(next);
}

async function forEachUser(deps: DirectoryDeps, filter: { orgId: string }, visit: (user: UserRecord) => Promise<void>): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await deps.directory.listUsers(filter, { limit: 100, cursor });
    for (const user of page.items) await visit(user);
    cursor = page.nextCursor;
  } while (cursor);
}

/**
 * 1. Admins list every user (`orgId`, `role` narrow it), every field.
 * 2. Buyers and factories list their own organisation's members: userId, username, role.
 */
export async function listUsers(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListUsersQuery>): Promise<Page<User>> {
  const scope = authorize(ctx.principal, 'listUsers');
  const { query } = input;
  if (scope === 'all') {
    const page = await deps.directory.listUsers({ orgId: query.orgId, role: query.role }, pageOf(query));
    return { ...page, items: page.items.map(fullUser) };
  }
  const own = ctx.principal.orgId;
  if (!own || (query.orgId !== undefined && query.orgId !== own)) return { items: [] };
  const page = await deps.directory.listUsers({ orgId: own, role: query.role }, pageOf(query));
  return { ...page, items: page.items.filter((u) => !u.erasedAt && u.status === 'ACTIVE').map(memberView) };
}

/** Buyers and factories need an ACTIVE organisation of their kind; auditors and admins none. */
async function checkOrganisationFor(deps: DirectoryDeps, role: Role, orgId: string | undefined): Promise<void> {
  if (!ORG_ROLES.includes(role)) {
    if (orgId !== undefined) {
      throw new ValidationError([{ path: '/orgId', message: `a ${role} belongs to no organisation` }], { code: 'organisation-kind-mismatch' });
    }
    return;
  }
  if (orgId === undefined) {
    throw new ValidationError([{ path: '/orgId', message: `is required for a ${role}` }], { code: 'organisation-kind-mismatch' });
  }
  const org = await deps.directory.getOrganisation(orgId);
  if (!org || org.kind !== role) {
    throw new ValidationError([{ path: '/orgId', message: `must name a registered ${role} organisation` }], { code: 'organisation-kind-mismatch' });
  }
  if (org.status !== 'ACTIVE') throw new ConflictError('organisation-suspended', `Organisation ${orgId} is ${org.status}`);
}

/**
 * 1. Admins only. 2. The organisation rule (checkOrganisationFor); the username must be free (409).
 * 3. The identity is created (Cognito e-mails the temporary password; locally the local mail
 *    folder gets it), then the user record with its audit event; if the record cannot be
 *    stored, the identity is removed again.
 */
export async function createUser(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreateUserBody>): Promise<User> {
  authorize(ctx.principal, 'createUser');
  const { body } = input;
  await checkOrganisationFor(deps, body.role, body.orgId);
  if (await deps.directory.findUserByUsername(body.username)) throw new ConflictError('username-taken', `The username ${body.username} is taken`);
  const { userId } = await deps.identities.create({ username: body.username, email: body.email, role: body.role, orgId: body.orgId });
  const at = ctx.now().toISOString();
  const user: UserRecord = {
    userId,
    username: body.username,
    email: body.email,
    role: body.role,
    ...(body.orgId !== undefined && { orgId: body.orgId }),
    status: 'ACTIVE',
    createdAt: at,
    updatedAt: at,
  };
  ctx.audit.identify(userId);
  try {
    // The audit event names the new user by id only: their name and e-mail are theirs to erase.
    await ctx.audit.commit({ role: user.role, ...(user.orgId !== undefined && { orgId: user.orgId }), status: 'ACTIVE' }, (event) => deps.directory.createUser(user, event));
  } catch (error) {
    await deps.identities.remove({ userId, username: body.username });
    throw error;
  }
  if (PRIVILEGED.includes(user.role)) deps.signals?.privilegedRoleChanged({ userId, from: user.role, to: user.role, by: ctx.principal.userId });
  return fullUser(user);
}

async function loadUser(deps: DirectoryDeps, userId: string): Promise<StoredUser> {
  const stored = await deps.directory.getUser(userId);
  if (!stored) throw new NotFoundError('user-not-found', 'No such user');
  if (stored.user.erasedAt) throw new ConflictError('user-erased', 'The user was erased');
  return stored;
}

function refuseSelf(ctx: UseCaseContext, userId: string, what: string): void {
  if (userId === ctx.principal.userId) throw new ConflictError('self-change-forbidden', `An admin cannot ${what} themselves`);
}

/**
 * An ACTIVE admin losing that standing must leave another active admin behind. Answers the
 * acting admin's record revision as a guard for the write: two admins removing each other at
 * once both count two admins, but only the first transaction finds the other's record unchanged.
 */
async function keepAnAdmin(deps: DirectoryDeps, ctx: UseCaseContext, user: UserRecord): Promise<RevisionGuard | undefined> {
  if (user.role !== 'admin' || user.status !== 'ACTIVE') return undefined;
  if ((await deps.identities.activeAdminCount()) <= 1) throw new ConflictError('last-admin', 'The last active admin cannot be removed');
  const actor = await deps.directory.getUser(ctx.principal.userId);
  if (!actor) return undefined; // an admin the directory never recorded (the pool's first one)
  // Demoted or disabled a moment ago (before the session cache noticed): no longer an admin.
  if (actor.user.role !== 'admin' || actor.user.status !== 'ACTIVE') throw new ForbiddenError('role-forbidden', 'The caller is no longer an active admin');
  return { userId: actor.user.userId, revision: actor.revision };
}

/**
 * 1. Admins only, never on themselves (409); the last active admin keeps the role (409).
 * 2. The new role's organisation rule (checkOrganisationFor).
 * 3. The record gets the new role and `revokedAt` (every older token is refused within 60 s),
 *    guarded against a concurrent removal of the acting admin; then the identity moves group
 *    (and org attribute) and is signed out everywhere.
 */
export async function changeUserRole(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<UserIds, undefined, ChangeRoleBody>): Promise<User> {
  authorize(ctx.principal, 'changeUserRole');
  const { userId } = input.path;
  refuseSelf(ctx, userId, 'demote');
  const { body } = input;
  return withOptimisticRetry(async () => {
    const { user, revision } = await loadUser(deps, userId);
    const guard = body.role !== 'admin' ? await keepAnAdmin(deps, ctx, user) : undefined;
    await checkOrganisationFor(deps, body.role, body.orgId);
    const at = ctx.now().toISOString();
    const next: UserRecord = withOrg({ ...user, role: body.role, updatedAt: at, revokedAt: at }, body.orgId);
    await ctx.audit.commit(
      { role: { from: user.role, to: next.role }, orgId: { from: user.orgId ?? null, to: next.orgId ?? null } },
      (event) => deps.directory.updateUser(next, revision, event, guard),
    );
    // The table decides (a lost race changes nothing anywhere); the identity follows it.
    await deps.identities.changeRole(user, { from: user.role, to: body.role, orgId: body.orgId });
    await deps.identities.signOut(user);
    if (PRIVILEGED.includes(user.role) || PRIVILEGED.includes(next.role)) {
      deps.signals?.privilegedRoleChanged({ userId, from: user.role, to: next.role, by: ctx.principal.userId });
    }
    return fullUser(next);
  });
}

function withOrg(user: UserRecord, orgId: string | undefined): UserRecord {
  const { orgId: _old, ...rest } = user;
  return orgId === undefined ? rest : { ...rest, orgId };
}

/**
 * Disable: admins only, never themselves, never the last active admin (409); the identity is
 * disabled and signed out, the record DISABLED with `revokedAt`. Enable: the reverse (tokens
 * issued while disabled never existed: the identity could not sign in).
 */
export async function setUserEnabled(
  deps: DirectoryDeps,
  ctx: UseCaseContext,
  operation: 'disableUser' | 'enableUser',
  input: UseCaseInput<UserIds, undefined, UserStatusBody>,
): Promise<User> {
  authorize(ctx.principal, operation);
  const { userId } = input.path;
  const enable = operation === 'enableUser';
  if (!enable) refuseSelf(ctx, userId, 'disable');
  return withOptimisticRetry(async () => {
    const { user, revision } = await loadUser(deps, userId);
    const status = enable ? 'ACTIVE' : 'DISABLED';
    if (user.status === status) return fullUser(user);
    const guard = enable ? undefined : await keepAnAdmin(deps, ctx, user);
    const at = ctx.now().toISOString();
    const next: UserRecord = { ...user, status, updatedAt: at, ...(!enable && { revokedAt: at }) };
    await ctx.audit.commit(
      { status: { from: user.status, to: status }, ...(input.body.reason !== undefined && { reason: input.body.reason }) },
      (event) => deps.directory.updateUser(next, revision, event, guard),
    );
    await deps.identities.setEnabled(user, enable);
    if (!enable) await deps.identities.signOut(user);
    return fullUser(next);
  });
}

/** Pages through a list to its end, or until `max` items. */
async function collect<T>(read: (cursor: string | undefined) => Promise<Page<T>>, keep: (item: T) => boolean, max: number): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    for (const item of page.items) if (keep(item)) items.push(item);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return { items: items.slice(0, max), truncated: cursor !== undefined || items.length > max };
}

/** Audit events in one export at most; the archive keeps every one of them. */
export const EXPORT_AUDIT_LIMIT = 5_000;

/**
 * 1. Admins export anyone; every other user only themselves (another id answers 404).
 * 2. The profile, the requests the user created, the evidence with a version they added, the
 *    comments they wrote (found through their comment audit events), their notifications, and
 *    the audit events in which they are the actor (with their own network details).
 */
export async function exportUserData(deps: ExportDeps, ctx: UseCaseContext, input: UseCaseInput<UserIds>): Promise<DataExport> {
  const scope = authorize(ctx.principal, 'exportUserData');
  const { userId } = input.path;
  if (scope !== 'all' && userId !== ctx.principal.userId) throw new HiddenNotFoundError('user-not-found', 'No such user');
  const stored = await deps.directory.getUser(userId);
  if (!stored) throw new NotFoundError('user-not-found', 'No such user');
  const { user } = stored;
  const page = (cursor: string | undefined) => ({ limit: 100, cursor });
  let requests: EvidenceRequest[] = [];
  let evidence: EvidenceRecord[] = [];
  if (user.orgId && user.role === 'buyer') {
    const orgId = user.orgId;
    requests = (await collect((c) => deps.requests.list({ by: 'buyer', orgId }, {}, page(c)), (r) => r.createdBy === userId, 10_000)).items;
  }
  if (user.orgId && user.role === 'factory') {
    const factoryId = user.orgId;
    evidence = (await collect((c) => deps.evidence.list({ by: 'factory', factoryId }, {}, page(c)), (e) => e.versions.some((v) => v.createdBy === userId), 10_000)).items;
  }
  const audit = await collect((c) => deps.auditLog.list({ actorId: userId }, page(c)), () => true, EXPORT_AUDIT_LIMIT);
  const commented = new Set(
    audit.items.filter((e) => e.action === 'request.comment.create' && e.outcome === 'SUCCESS' && e.resource.id).map((e) => e.resource.id as string),
  );
  const comments: Comment[] = [];
  for (const requestId of commented) {
    comments.push(...(await collect((c) => deps.comments.list(requestId, page(c)), (comment) => comment.author.userId === userId, 10_000)).items);
  }
  const notifications = (await collect((c) => deps.inbox.list(userId, {}, page(c)), () => true, 10_000)).items;
  return {
    exportedAt: ctx.now().toISOString(),
    profile: fullUser(user),
    requests,
    evidence: evidence.map((e) => ({ ...e, versions: e.versions.map(({ file, ...v }) => (file ? { ...v, file: withoutFileId(file) } : v)) })),
    comments,
    notifications,
    auditEvents: audit.items as AuditEvent[],
    ...(audit.truncated && { auditEventsTruncated: true }),
  };
}

function withoutFileId<F extends { fileId: string }>(file: F): Omit<F, 'fileId'> {
  const { fileId: _id, ...rest } = file;
  return rest;
}

/**
 * 1. Admins only, never themselves, never the last active admin (409); an erased user is 409.
 * 2. One transaction: the record keeps its id, role and org but its name and e-mail become a
 *    pseudonym; the username is freed; the user's personal-data key is destroyed, so every
 *    sealed name, e-mail and address in the table's and the archive's audit records of the
 *    user becomes unrecoverable (crypto-shredding) while the records themselves stay whole.
 * 3. The sign-in identity is deleted.
 */
export async function eraseUser(deps: DirectoryDeps, ctx: UseCaseContext, input: UseCaseInput<UserIds>): Promise<EraseResult> {
  authorize(ctx.principal, 'eraseUser');
  const { userId } = input.path;
  refuseSelf(ctx, userId, 'erase');
  return withOptimisticRetry(async () => {
    const { user, revision } = await loadUser(deps, userId);
    const guard = await keepAnAdmin(deps, ctx, user);
    const at = ctx.now().toISOString();
    const pseudonym = newPseudonym();
    const next: UserRecord = { ...user, username: pseudonym, email: `${pseudonym}@erased.invalid`, status: 'DISABLED', updatedAt: at, revokedAt: at, erasedAt: at };
    await ctx.audit.commit({ erased: true, status: { from: user.status, to: 'DISABLED' } }, (event) => deps.directory.eraseUser(next, revision, user.username, event, guard));
    await deps.identities.remove(user);
    deps.vault?.forget(userId);
    return { userId, erasedAt: at };
  });
}
