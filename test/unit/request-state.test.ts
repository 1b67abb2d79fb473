import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../functions/core/errors.js';
import { cancel, deriveStatus, fulfil as fulfilItem, itemOf, review as reviewItem } from '../../functions/core/request-state.js';

/** The use cases look the item up once and hand it to the command. */
const fulfil = (request: EvidenceRequest, { itemId, ...command }: Parameters<typeof fulfilItem>[2] & { itemId: string }) => fulfilItem(request, itemOf(request, itemId), command);
const review = (request: EvidenceRequest, { itemId, ...command }: Parameters<typeof reviewItem>[2] & { itemId: string }) => reviewItem(request, itemOf(request, itemId), command);
import type { EvidenceRequest, ItemStatus, RequestStatus } from '../../functions/schemas/requests.js';

const NOW = '2026-11-22T10:00:00.000Z';

function requestWith(statuses: ItemStatus[], status?: RequestStatus): EvidenceRequest {
  const items = statuses.map((s, i) => ({ itemId: `i${i}`, docType: 'certificate', status: s }));
  return {
    requestId: 'req_1',
    buyerOrgId: 'B001',
    factoryId: 'F001',
    title: 't',
    status: status ?? deriveStatus(items),
    items,
    createdAt: NOW,
    createdBy: 'u',
    updatedAt: NOW,
  };
}

describe('deriveStatus', () => {
  it.each<[ItemStatus[], RequestStatus]>([
    [['PENDING'], 'OPEN'],
    [['PENDING', 'PENDING'], 'OPEN'],
    [['PENDING', 'FULFILLED'], 'IN_PROGRESS'],
    [['REJECTED'], 'IN_PROGRESS'],
    [['ACCEPTED', 'REJECTED'], 'IN_PROGRESS'],
    [['ACCEPTED', 'PENDING'], 'IN_PROGRESS'],
    [['FULFILLED'], 'FULFILLED'],
    [['FULFILLED', 'ACCEPTED'], 'FULFILLED'],
    [['ACCEPTED'], 'COMPLETED'],
    [['ACCEPTED', 'ACCEPTED'], 'COMPLETED'],
  ])('%j -> %s', (statuses, expected) => {
    expect(deriveStatus(statuses.map((status) => ({ status })))).toBe(expected);
  });
});

const fulfilI0 = { itemId: 'i0', evidenceId: 'evd_1', evidenceVersion: 2, now: NOW };

describe('fulfil', () => {
  it('moves a PENDING item to FULFILLED with its evidence and records the change', () => {
    const { request, changes } = fulfil(requestWith(['PENDING', 'PENDING']), fulfilI0);
    expect(request.items[0]).toMatchObject({ status: 'FULFILLED', evidenceId: 'evd_1', evidenceVersion: 2, fulfilledAt: NOW });
    expect(request.status).toBe('IN_PROGRESS');
    expect(changes).toEqual({
      itemId: 'i0',
      itemStatus: { from: 'PENDING', to: 'FULFILLED' },
      requestStatus: { from: 'OPEN', to: 'IN_PROGRESS' },
      evidenceId: 'evd_1',
      evidenceVersion: 2,
    });
  });

  it('fulfils a REJECTED item again and drops the old review comment', () => {
    const rejected = requestWith(['REJECTED']);
    rejected.items[0]!.reviewComment = 'unsigned';
    const { request } = fulfil(rejected, fulfilI0);
    expect(request.items[0]!.status).toBe('FULFILLED');
    expect(request.items[0]!.reviewComment).toBeUndefined();
    expect(request.status).toBe('FULFILLED');
  });

  it.each<ItemStatus>(['FULFILLED', 'ACCEPTED'])('refuses a %s item', (status) => {
    expect(() => fulfil(requestWith([status, 'PENDING']), fulfilI0)).toThrow(ConflictError);
  });

  it.each<RequestStatus>(['CANCELLED', 'COMPLETED'])('refuses on a %s request', (status) => {
    expect(() => fulfil(requestWith(['PENDING'], status), fulfilI0)).toThrow(ConflictError);
  });

  it('answers not found for an unknown item', () => {
    expect(() => fulfil(requestWith(['PENDING']), { ...fulfilI0, itemId: 'nope' })).toThrow(NotFoundError);
  });
});

describe('review', () => {
  it('accepts a FULFILLED item; all accepted completes the request', () => {
    const { request, changes } = review(requestWith(['FULFILLED']), { itemId: 'i0', decision: 'ACCEPT', by: 'u_buyer', now: NOW });
    expect(request.items[0]!.status).toBe('ACCEPTED');
    expect(request.status).toBe('COMPLETED');
    expect(changes.requestStatus).toEqual({ from: 'FULFILLED', to: 'COMPLETED' });
  });

  it('rejects with a comment, sending the request back IN_PROGRESS', () => {
    const { request } = review(requestWith(['FULFILLED', 'ACCEPTED']), { itemId: 'i0', decision: 'REJECT', comment: 'blurred', by: 'u_buyer', now: NOW });
    expect(request.items[0]).toMatchObject({ status: 'REJECTED', reviewComment: 'blurred' });
    expect(request.status).toBe('IN_PROGRESS');
  });

  it('keeps every review on the item, after a new fulfilment too', () => {
    const rejected = review(requestWith(['FULFILLED']), { itemId: 'i0', decision: 'REJECT', comment: 'blurred', by: 'u_buyer', now: NOW }).request;
    const again = fulfil(rejected, { itemId: 'i0', evidenceId: 'evd_1', evidenceVersion: 2, now: NOW }).request;
    expect(again.items[0]!.reviewComment).toBeUndefined();
    const accepted = review(again, { itemId: 'i0', decision: 'ACCEPT', by: 'u_other', now: '2026-11-23T10:00:00.000Z' }).request;
    expect(accepted.items[0]!.reviews).toEqual([
      { decision: 'REJECT', comment: 'blurred', by: 'u_buyer', at: NOW },
      { decision: 'ACCEPT', by: 'u_other', at: '2026-11-23T10:00:00.000Z' },
    ]);
  });

  it.each<ItemStatus>(['PENDING', 'ACCEPTED', 'REJECTED'])('refuses to review a %s item', (status) => {
    expect(() => review(requestWith([status, 'FULFILLED']), { itemId: 'i0', decision: 'ACCEPT', by: 'u_buyer', now: NOW })).toThrow(ConflictError);
  });

  it('refuses on a CANCELLED request', () => {
    expect(() => review(requestWith(['FULFILLED'], 'CANCELLED'), { itemId: 'i0', decision: 'ACCEPT', by: 'u_buyer', now: NOW })).toThrow(ConflictError);
  });

  it('answers not found for an unknown item', () => {
    expect(() => review(requestWith(['FULFILLED']), { itemId: 'x', decision: 'ACCEPT', by: 'u_buyer', now: NOW })).toThrow(NotFoundError);
  });
});

describe('cancel', () => {
  it.each<[ItemStatus[]]>([[['PENDING']], [['FULFILLED', 'PENDING']], [['REJECTED']]])('cancels an OPEN or IN_PROGRESS request (%j)', (statuses) => {
    const before = requestWith(statuses);
    const { request, changes } = cancel(before, { by: 'u_buyer', now: NOW });
    expect(request.status).toBe('CANCELLED');
    expect(request).toMatchObject({ cancelledAt: NOW, cancelledBy: 'u_buyer' });
    expect(request.cancelReason).toBeUndefined();
    expect(changes).toEqual({ requestStatus: { from: before.status, to: 'CANCELLED' } });
  });

  it('keeps the cancel reason on the request and in the changes', () => {
    const { request, changes } = cancel(requestWith(['PENDING']), { by: 'u_buyer', reason: 'supplier changed', now: NOW });
    expect(request.cancelReason).toBe('supplier changed');
    expect(changes).toMatchObject({ reason: 'supplier changed' });
  });

  it.each<[ItemStatus[], RequestStatus | undefined]>([
    [['FULFILLED'], undefined],
    [['ACCEPTED'], undefined],
    [['PENDING'], 'CANCELLED'],
  ])('refuses to cancel %j (%s)', (statuses, status) => {
    expect(() => cancel(requestWith(statuses, status), { by: 'u', now: NOW })).toThrow(ConflictError);
  });
});

/** The error a command throws, or undefined. */
function refusalOf(work: () => unknown): { type: string; code: string; message: string } | undefined {
  try {
    work();
  } catch (error) {
    const e = error as Error & { code: string };
    return { type: e.constructor.name, code: e.code, message: e.message };
  }
  return undefined;
}

describe('every refusal names its rule and the state it met', () => {
  it.each<[string, () => unknown, { type: string; code: string; message: string }]>([
    ['an unknown item', () => itemOf(requestWith(['PENDING']), 'nope'), { type: 'NotFoundError', code: 'item-not-found', message: 'No such item' }],
    ['fulfil on a COMPLETED request', () => fulfil(requestWith(['ACCEPTED']), fulfilI0), { type: 'ConflictError', code: 'request-closed', message: 'The request is COMPLETED' }],
    ['fulfil of an ACCEPTED item', () => fulfil(requestWith(['ACCEPTED', 'PENDING']), fulfilI0), { type: 'ConflictError', code: 'item-not-pending', message: 'The item is ACCEPTED, not PENDING or REJECTED' }],
    ['review on a CANCELLED request', () => review(requestWith(['FULFILLED'], 'CANCELLED'), { itemId: 'i0', decision: 'ACCEPT', by: 'u', now: NOW }), { type: 'ConflictError', code: 'request-closed', message: 'The request is CANCELLED' }],
    ['review of a PENDING item', () => review(requestWith(['PENDING', 'FULFILLED']), { itemId: 'i0', decision: 'ACCEPT', by: 'u', now: NOW }), { type: 'ConflictError', code: 'item-not-fulfilled', message: 'The item is PENDING, not FULFILLED' }],
    ['cancel of a FULFILLED request', () => cancel(requestWith(['FULFILLED']), { by: 'u', now: NOW }), { type: 'ConflictError', code: 'request-not-cancellable', message: 'A FULFILLED request cannot be cancelled' }],
  ])('%s', (_, work, expected) => {
    expect(refusalOf(work)).toEqual(expected);
  });
});

describe('optional parts of a transition appear only when they happened', () => {
  it('leaves requestStatus out of the changes when the request status stays the same', () => {
    const before = requestWith(['FULFILLED', 'PENDING', 'PENDING']);
    const { request, changes } = fulfil(before, { ...fulfilI0, itemId: 'i1' });
    expect(request.status).toBe('IN_PROGRESS');
    expect(before.status).toBe('IN_PROGRESS');
    expect(Object.keys(changes)).not.toContain('requestStatus');
    expect(request.updatedAt).toBe(NOW);
  });

  it('records no comment on a review without one', () => {
    const { request } = review(requestWith(['FULFILLED']), { itemId: 'i0', decision: 'REJECT', by: 'u_buyer', now: NOW });
    expect(Object.keys(request.items[0]!)).not.toContain('reviewComment');
    expect(request.items[0]!.reviews).toHaveLength(1);
    expect(Object.keys(request.items[0]!.reviews![0]!)).toEqual(['decision', 'by', 'at']);
  });

  it('records no reason on a cancel without one', () => {
    const { request, changes } = cancel(requestWith(['PENDING']), { by: 'u_buyer', now: '2026-11-23T00:00:00.000Z' });
    expect(Object.keys(request)).not.toContain('cancelReason');
    expect(Object.keys(changes)).toEqual(['requestStatus']);
    expect(request.updatedAt).toBe('2026-11-23T00:00:00.000Z');
  });
});
