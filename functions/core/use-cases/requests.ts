/** Use cases of evidence requests: create, read, list, fulfil, review, cancel, history. */
import type { AuditEvent, HistoryQuery } from '../../schemas/audit.js';
import type { Comment, CreateCommentBody } from '../../schemas/comments.js';
import type { CancelBody, CreateRequestBody, EvidenceRequest, FulfilBody, ListRequestsQuery, ReviewBody } from '../../schemas/requests.js';
import { assertRequestAccess, authorize, isRequestParty, orgOf, signedIn } from '../access.js';
import { redactForParty } from '../audit-trail.js';
import { HiddenValidationError, NotFoundError, ValidationError } from '../errors.js';
import { newCommentId, newItemId, newRequestId } from '../ids.js';
import type { Operation } from '../permissions.js';
import type { AuditLog, CommentRepository, EvidenceRepository, EvidenceShare, OrganisationDirectory, Page, PageRequest, RequestListScope, RequestRepository, StoredRequest } from '../ports.js';
import * as machine from '../request-state.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { withOptimisticRetry } from './optimistic.js';

export interface RequestDeps {
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly organisations: OrganisationDirectory;
  readonly auditLog: AuditLog;
  readonly comments: CommentRepository;
}

/** The UTC calendar date of an instant (YYYY-MM-DD): due dates are days, compared in UTC. */
export const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * 1. Only a buyer creates requests, for its own organisation.
 * 2. The factory must be a registered factory organisation; a due date may not lie before today (UTC).
 * 3. The request and its items start PENDING / OPEN.
 * 4. The request and its audit event are written in one transaction.
 */
export async function createRequest(deps: RequestDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreateRequestBody>): Promise<EvidenceRequest> {
  authorize(ctx.principal, 'createRequest');
  const buyerOrgId = orgOf(ctx.principal);
  const { body } = input;
  if ((await deps.organisations.kindOf(body.factoryId)) !== 'factory') {
    throw new ValidationError([{ path: '/factoryId', message: 'must name a registered factory organisation' }], { code: 'factory-not-registered' });
  }
  const now = ctx.now();
  if (body.dueDate !== undefined && body.dueDate < utcDate(now)) {
    throw new ValidationError([{ path: '/dueDate', message: `must not lie in the past (today is ${utcDate(now)} UTC)` }], { code: 'due-date-past' });
  }
  const at = now.toISOString();
  const request: EvidenceRequest = {
    requestId: newRequestId(now.getTime()),
    buyerOrgId,
    factoryId: body.factoryId,
    title: body.title,
    ...(body.description !== undefined && { description: body.description }),
    ...(body.dueDate !== undefined && { dueDate: body.dueDate }),
    status: 'OPEN',
    items: body.items.map((item) => ({ itemId: newItemId(now.getTime()), docType: item.docType, ...(item.note !== undefined && { note: item.note }), status: 'PENDING' })),
    createdAt: at,
    createdBy: ctx.principal.userId,
    updatedAt: at,
  };
  ctx.audit.identify(request.requestId);
  await ctx.audit.commit({ factoryId: request.factoryId, itemCount: request.items.length, status: 'OPEN', ...(request.dueDate !== undefined && { dueDate: request.dueDate }) }, (event) =>
    deps.requests.create(request, event),
  );
  return request;
}

type RequestIds = { readonly requestId: string };
type ItemIds = RequestIds & { readonly itemId: string };

/** Authorizes the caller for the operation (403 before the input is read), then reads the request once and checks its tenancy. */
async function loadForCaller(deps: RequestDeps, ctx: UseCaseContext, operation: Operation, input: UseCaseInput<RequestIds, unknown, unknown>): Promise<StoredRequest> {
  const scope = authorize(ctx.principal, operation);
  const stored = await deps.requests.get(input.path.requestId);
  if (!stored) throw new NotFoundError('request-not-found', 'No such request');
  assertRequestAccess(ctx.principal, scope, stored.request);
  return stored;
}

export async function getRequest(deps: RequestDeps, ctx: UseCaseContext, input: UseCaseInput<RequestIds>): Promise<EvidenceRequest> {
  return (await loadForCaller(deps, ctx, 'getRequest', input)).request;
}

export async function listRequests(
  deps: RequestDeps,
  ctx: UseCaseContext,
  operation: 'listRequests' | 'listFactoryRequests',
  input: UseCaseInput<undefined, ListRequestsQuery>,
): Promise<Page<EvidenceRequest>> {
  const scope = authorize(ctx.principal, operation);
  const { query } = input;
  const listScope: RequestListScope =
    scope === 'all' ? { by: 'all' } : ctx.principal.role === 'buyer' ? { by: 'buyer', orgId: orgOf(ctx.principal) } : { by: 'factory', orgId: orgOf(ctx.principal) };
  return deps.requests.list(
    listScope,
    { status: query.status, dueBefore: query.dueBefore, ...(query.overdue === 'true' && { overdueOn: utcDate(ctx.now()) }) },
    pageOf(query),
  );
}

export function pageOf(query: { limit?: number | undefined; cursor?: string | undefined }): PageRequest {
  return { limit: query.limit ?? 20, cursor: query.cursor };
}

/**
 * 1. The caller's factory must be the one the request is addressed to.
 * 2. The evidence must be the factory's own, of the item's docType, and the version must
 *    exist, not be expired, and its file (if it has one) be AVAILABLE (checked before any
 *    state rule).
 * 3. The item moves to FULFILLED; the version is shared with the buyer org; one transaction
 *    with the audit event, guarded by the request's revision (a lost race re-reads).
 */
export async function fulfilItem(
  deps: RequestDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<ItemIds, undefined, FulfilBody>,
): Promise<EvidenceRequest> {
  return withOptimisticRetry(async () => {
    const { request, revision } = await loadForCaller(deps, ctx, 'fulfilItem', input);
    const { path, body } = input;
    const item = machine.itemOf(request, path.itemId);
    const now = ctx.now();
    const version = await checkEvidence(deps, ctx, body, item.docType, now);
    const { request: next, changes } = machine.fulfil(request, item, {
      evidenceId: body.evidenceId,
      evidenceVersion: version,
      now: now.toISOString(),
    });
    const share: EvidenceShare = { evidenceId: body.evidenceId, buyerOrgId: request.buyerOrgId, version, sharedAt: now.toISOString() };
    await ctx.audit.commit(changes, (event) => deps.requests.update(next, revision, event, share));
    return next;
  });
}

async function checkEvidence(deps: RequestDeps, ctx: UseCaseContext, body: FulfilBody, docType: string, now: Date): Promise<number> {
  const stored = await deps.evidence.get(body.evidenceId);
  // Another factory's evidence answers exactly like unknown evidence; only the audit tells them apart.
  if (!stored || stored.evidence.factoryId !== ctx.principal.orgId) {
    const errors = [{ path: '/evidenceId', message: 'no such evidence in your library' }];
    throw stored ? new HiddenValidationError(errors, { code: 'evidence-not-found' }) : new ValidationError(errors, { code: 'evidence-not-found' });
  }
  if (stored.evidence.docType !== docType) {
    throw new ValidationError([{ path: '/evidenceId', message: `the evidence is of docType ${stored.evidence.docType}, the item asks for ${docType}` }], {
      code: 'evidence-doctype-mismatch',
    });
  }
  const number = body.version ?? stored.evidence.latestVersion;
  const version = stored.versions.find((v) => v.version === number);
  if (!version) throw new ValidationError([{ path: '/version', message: `the evidence has no version ${number}` }], { code: 'version-not-found' });
  if (version.expiresAt !== undefined && Date.parse(version.expiresAt) <= now.getTime()) {
    throw new ValidationError([{ path: '/version', message: `version ${number} expired at ${version.expiresAt}` }], { code: 'version-expired' });
  }
  // A version that declared a file shares it only once the stored object was verified; a
  // version without any file fulfils as before (the contract names only files not AVAILABLE).
  if (version.file && version.file.status !== 'AVAILABLE') {
    throw new ValidationError([{ path: '/version', message: `the file of version ${number} is ${version.file.status}, not AVAILABLE` }], { code: 'file-not-available' });
  }
  return number;
}

export async function reviewItem(
  deps: RequestDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<ItemIds, undefined, ReviewBody>,
): Promise<EvidenceRequest> {
  return withOptimisticRetry(async () => {
    const { request, revision } = await loadForCaller(deps, ctx, 'reviewItem', input);
    const { path, body } = input;
    const item = machine.itemOf(request, path.itemId);
    const now = ctx.now().toISOString();
    const { request: next, changes } = machine.review(request, item, { decision: body.decision, comment: body.comment, by: ctx.principal.userId, now });
    // An accepted version is marked on its share: its expiry reminders reach this buyer org too.
    const accepted: EvidenceShare | undefined =
      body.decision === 'ACCEPT' && item.evidenceId !== undefined && item.evidenceVersion !== undefined
        ? { evidenceId: item.evidenceId, buyerOrgId: request.buyerOrgId, version: item.evidenceVersion, sharedAt: now, acceptedAt: now }
        : undefined;
    // The review's text flows into the audit record, beside the decision.
    await ctx.audit.commit({ ...changes, decision: body.decision, ...(body.comment !== undefined && { comment: body.comment }) }, (event) =>
      deps.requests.update(next, revision, event, accepted),
    );
    return next;
  });
}

export async function cancelRequest(deps: RequestDeps, ctx: UseCaseContext, input: UseCaseInput<RequestIds, undefined, CancelBody>): Promise<EvidenceRequest> {
  return withOptimisticRetry(async () => {
    const { request, revision } = await loadForCaller(deps, ctx, 'cancelRequest', input);
    const { body } = input;
    const { request: next, changes } = machine.cancel(request, { by: ctx.principal.userId, reason: body.reason, now: ctx.now().toISOString() });
    await ctx.audit.commit(changes, (event) => deps.requests.update(next, revision, event));
    return next;
  });
}

/** Parties see events by users of the request's two organisations, without network details. */
export async function getRequestHistory(
  deps: RequestDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<RequestIds, HistoryQuery>,
): Promise<Page<AuditEvent>> {
  const { request } = await loadForCaller(deps, ctx, 'getRequestHistory', input);
  const { requestId } = input.path;
  const page = pageOf(input.query);
  const actor = { actorId: input.query.actorId, actorUsername: input.query.actorUsername };
  if (!isRequestParty(ctx.principal, request)) return deps.auditLog.list({ resourceId: requestId, ...actor }, page);
  const result = await deps.auditLog.list({ resourceId: requestId, ...actor, actorOrgIds: [request.buyerOrgId, request.factoryId] }, page);
  return { ...result, items: result.items.map(redactForParty) };
}

/**
 * 1. Only the request's two parties comment (buyer org, addressed factory); others are refused
 *    by role (403) or answered as if the request did not exist (404).
 * 2. An `itemId` must name an item of the request (400 on /itemId).
 * 3. The comment and its audit event (with the text) are written in one transaction.
 */
export async function createComment(deps: RequestDeps, ctx: UseCaseContext, input: UseCaseInput<RequestIds, undefined, CreateCommentBody>): Promise<Comment> {
  const { request } = await loadForCaller(deps, ctx, 'createComment', input);
  const { body } = input;
  if (body.itemId !== undefined && !request.items.some((item) => item.itemId === body.itemId)) {
    throw new ValidationError([{ path: '/itemId', message: 'names no item of this request' }], { code: 'comment-item-not-found' });
  }
  const now = ctx.now();
  const principal = signedIn(ctx.principal);
  const comment: Comment = {
    commentId: newCommentId(now.getTime()),
    requestId: request.requestId,
    ...(body.itemId !== undefined && { itemId: body.itemId }),
    text: body.text,
    author: { userId: principal.userId, username: principal.username, role: principal.role, orgId: orgOf(principal) },
    createdAt: now.toISOString(),
  };
  await ctx.audit.commit({ commentId: comment.commentId, ...(comment.itemId !== undefined && { itemId: comment.itemId }), text: comment.text }, (event) =>
    deps.comments.create(comment, event),
  );
  return comment;
}

/** Parties, auditors and admins read a request's comments, oldest first. */
export async function listComments(
  deps: RequestDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<RequestIds, { limit?: number | undefined; cursor?: string | undefined }>,
): Promise<Page<Comment>> {
  await loadForCaller(deps, ctx, 'listComments', input);
  return deps.comments.list(input.path.requestId, pageOf(input.query));
}
