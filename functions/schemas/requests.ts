/** Evidence requests: a buyer asks one factory for a list of documents. */
import * as z from 'zod/mini';
import { Cursor, Description, DocType, Id, IsoDate, Limit, ShortText, Timestamp, Title, pageOf } from './common.js';

export const ItemStatus = z.enum(['PENDING', 'FULFILLED', 'ACCEPTED', 'REJECTED']);
export type ItemStatus = z.infer<typeof ItemStatus>;
export const RequestStatus = z.enum(['OPEN', 'IN_PROGRESS', 'FULFILLED', 'COMPLETED', 'CANCELLED']);
export type RequestStatus = z.infer<typeof RequestStatus>;

/** One review of an item, kept on the item (API.md 1.1 "Comments"): a later fulfilment drops `reviewComment`, never these. */
export const Review = z.object({
  decision: z.enum(['ACCEPT', 'REJECT']),
  comment: z.optional(ShortText),
  /** The reviewer's userId. */
  by: Id,
  at: Timestamp,
});
export type Review = z.infer<typeof Review>;

export const RequestItem = z.object({
  itemId: Id,
  docType: DocType,
  note: z.optional(ShortText),
  status: ItemStatus,
  evidenceId: z.optional(Id),
  evidenceVersion: z.optional(z.int()),
  fulfilledAt: z.optional(Timestamp),
  reviewComment: z.optional(ShortText),
  reviews: z.optional(z.array(Review)),
});
export type RequestItem = z.infer<typeof RequestItem>;

export const EvidenceRequest = z
  .object({
    requestId: Id,
    buyerOrgId: Id,
    factoryId: Id,
    title: Title,
    description: z.optional(Description),
    dueDate: z.optional(IsoDate),
    status: RequestStatus,
    items: z.array(RequestItem),
    createdAt: Timestamp,
    createdBy: Id,
    updatedAt: Timestamp,
    cancelledAt: z.optional(Timestamp),
    /** The userId of the buyer who cancelled. */
    cancelledBy: z.optional(Id),
    cancelReason: z.optional(ShortText),
  })
  .register(z.globalRegistry, { id: 'Request' });
export type EvidenceRequest = z.infer<typeof EvidenceRequest>;

export const CreateRequestBody = z.strictObject({
  factoryId: Id,
  title: Title,
  description: z.optional(Description),
  dueDate: z.optional(IsoDate),
  items: z
    .array(z.strictObject({ docType: DocType, note: z.optional(ShortText) }))
    .check(z.minLength(1), z.maxLength(50)),
});
export type CreateRequestBody = z.infer<typeof CreateRequestBody>;

export const FulfilBody = z.strictObject({
  evidenceId: Id,
  version: z.optional(z.int().check(z.minimum(1))),
});
export type FulfilBody = z.infer<typeof FulfilBody>;

export const ReviewBody = z.strictObject({
  decision: z.enum(['ACCEPT', 'REJECT']),
  comment: z.optional(ShortText),
});
export type ReviewBody = z.infer<typeof ReviewBody>;

export const CancelBody = z.strictObject({ reason: z.optional(ShortText) });
export type CancelBody = z.infer<typeof CancelBody>;

export const RequestPath = z.strictObject({ requestId: Id });
export const ItemPath = z.strictObject({ requestId: Id, itemId: Id });

export const ListRequestsQuery = z.strictObject({
  status: z.optional(RequestStatus),
  /** Only requests whose due date lies before this date (exclusive). */
  dueBefore: z.optional(IsoDate),
  /** `true`: only requests whose due date has passed and that are neither COMPLETED nor CANCELLED. */
  overdue: z.optional(z.enum(['true'])),
  limit: Limit,
  cursor: Cursor,
});
export type ListRequestsQuery = z.infer<typeof ListRequestsQuery>;
export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor });

export const RequestPage = pageOf(EvidenceRequest);
