/**
 * The request state machine. Items move PENDING -> FULFILLED -> ACCEPTED | REJECTED, and a
 * REJECTED item can be fulfilled again. A request's status is derived from its items,
 * except CANCELLED, which a buyer sets while the request is OPEN or IN_PROGRESS.
 */
import type { EvidenceRequest, ItemStatus, RequestItem, RequestStatus } from '../schemas/requests.js';
import { ConflictError, NotFoundError } from './errors.js';

const FINAL: ReadonlySet<RequestStatus> = new Set(['CANCELLED', 'COMPLETED']);

export function deriveStatus(items: readonly Pick<RequestItem, 'status'>[]): Exclude<RequestStatus, 'CANCELLED'> {
  if (items.every((i) => i.status === 'PENDING')) return 'OPEN';
  if (items.every((i) => i.status === 'ACCEPTED')) return 'COMPLETED';
  if (items.every((i) => i.status === 'FULFILLED' || i.status === 'ACCEPTED')) return 'FULFILLED';
  return 'IN_PROGRESS';
}

/** What a command changed, for the audit event. */
export interface Transition {
  readonly request: EvidenceRequest;
  readonly changes: Record<string, unknown>;
}

/** The item a command acts on: looked up once, by the use case, and handed to the command. */
export function itemOf(request: EvidenceRequest, itemId: string): RequestItem {
  const item = request.items.find((i) => i.itemId === itemId);
  if (!item) throw new NotFoundError('item-not-found', 'No such item');
  return item;
}

function withItem(
  request: EvidenceRequest,
  before: RequestItem,
  update: (item: RequestItem) => RequestItem,
  now: string,
): Transition {
  const after = update(before);
  const items = request.items.map((i) => (i === before ? after : i));
  const status = deriveStatus(items);
  const itemId = before.itemId;
  return {
    request: { ...request, items, status, updatedAt: now },
    changes: {
      itemId,
      itemStatus: { from: before.status, to: after.status },
      ...(status !== request.status && { requestStatus: { from: request.status, to: status } }),
    },
  };
}

export interface FulfilCommand {
  readonly evidenceId: string;
  readonly evidenceVersion: number;
  readonly now: string;
}

const FULFILLABLE: ReadonlySet<ItemStatus> = new Set(['PENDING', 'REJECTED']);

/** `item` is one of `request.items` (see itemOf). */
export function fulfil(request: EvidenceRequest, item: RequestItem, command: FulfilCommand): Transition {
  if (FINAL.has(request.status)) throw new ConflictError('request-closed', `The request is ${request.status}`);
  if (!FULFILLABLE.has(item.status)) throw new ConflictError('item-not-pending', `The item is ${item.status}, not PENDING or REJECTED`);
  const transition = withItem(
    request,
    item,
    ({ reviewComment: _dropped, ...rest }) => ({
      ...rest,
      status: 'FULFILLED',
      evidenceId: command.evidenceId,
      evidenceVersion: command.evidenceVersion,
      fulfilledAt: command.now,
    }),
    command.now,
  );
  return {
    ...transition,
    changes: { ...transition.changes, evidenceId: command.evidenceId, evidenceVersion: command.evidenceVersion },
  };
}

export interface ReviewCommand {
  readonly decision: 'ACCEPT' | 'REJECT';
  readonly comment?: string | undefined;
  /** The reviewer's userId. */
  readonly by: string;
  readonly now: string;
}

/** `item` is one of `request.items` (see itemOf). */
export function review(request: EvidenceRequest, item: RequestItem, command: ReviewCommand): Transition {
  if (FINAL.has(request.status)) throw new ConflictError('request-closed', `The request is ${request.status}`);
  if (item.status !== 'FULFILLED') throw new ConflictError('item-not-fulfilled', `The item is ${item.status}, not FULFILLED`);
  return withItem(
    request,
    item,
    (i) => ({
      ...i,
      status: command.decision === 'ACCEPT' ? 'ACCEPTED' : 'REJECTED',
      ...(command.comment !== undefined && { reviewComment: command.comment }),
      // The history of reviews stays on the item: a later fulfilment drops reviewComment only.
      reviews: [
        ...(i.reviews ?? []),
        { decision: command.decision, ...(command.comment !== undefined && { comment: command.comment }), by: command.by, at: command.now },
      ],
    }),
    command.now,
  );
}

const CANCELLABLE: ReadonlySet<RequestStatus> = new Set(['OPEN', 'IN_PROGRESS']);

export interface CancelCommand {
  /** The buyer's userId. */
  readonly by: string;
  readonly reason?: string | undefined;
  readonly now: string;
}

/** The cancel record stays on the request: who, when and why. */
export function cancel(request: EvidenceRequest, command: CancelCommand): Transition {
  if (!CANCELLABLE.has(request.status)) throw new ConflictError('request-not-cancellable', `A ${request.status} request cannot be cancelled`);
  const { now, by, reason } = command;
  return {
    request: { ...request, status: 'CANCELLED', updatedAt: now, cancelledAt: now, cancelledBy: by, ...(reason !== undefined && { cancelReason: reason }) },
    changes: { requestStatus: { from: request.status, to: 'CANCELLED' }, ...(reason !== undefined && { reason }) },
  };
}
