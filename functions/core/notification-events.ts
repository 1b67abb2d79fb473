/**
 * The product's events, derived from the table's changes (its stream), never from the
 * request path: a request's INSERT is `request.created`, an item moving to FULFILLED is
 * `item.fulfilled`, and so on. Each event's id is derived from what changed (the request,
 * the item, the moment), so a redelivered or re-driven stream record yields the same id and
 * every inbox, mail and webhook delivery can be deduplicated by it. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { Comment } from '../schemas/comments.js';
import type { NotificationEventType } from '../schemas/notifications.js';
import type { EvidenceRequest, RequestItem } from '../schemas/requests.js';

/** The part of a stream record the notifier reads (the archiver's StreamChange has it). */
export interface TableChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE' | string;
  readonly keys: { readonly pk: string; readonly sk: string };
  readonly oldImage?: Record<string, unknown> | undefined;
  readonly newImage?: Record<string, unknown> | undefined;
}

export type SubjectRef = { readonly type: 'request' | 'evidence' | 'pack' | 'webhook' | 'user'; readonly id: string };

/** Who receives an event: every member of these organisations, or only these users of them. */
export interface Audience {
  readonly orgIds: readonly string[];
  /** When set, only these members (a pack's creator) get the in-app and e-mail notification; the organisations' webhooks still do. */
  readonly userIds?: readonly string[];
}

export interface ProductEvent {
  /** Stable across redeliveries of the change that caused it. */
  readonly eventId: string;
  readonly type: NotificationEventType;
  readonly occurredAt: string;
  readonly subject: SubjectRef;
  readonly audience: Audience;
  /** What the templates and the webhook payload tell: ids, titles, dates. */
  readonly data: Readonly<Record<string, string | number>>;
  /** `false`: no e-mail (the invitation itself is the user's e-mail). */
  readonly mail?: false;
}

/** A reminder or notice written by a job: the marker item carries its event whole (see reminders). */
export const EVENT_MARKER_ENTITY = 'event-marker';

const ULID = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `nev_` + the event time (10 characters, sortable) + 16 characters of a hash of its identity. */
export function eventIdOf(identity: string, occurredAt: string): string {
  let time = '';
  let t = Date.parse(occurredAt);
  for (let i = 0; i < 10; i++) {
    time = ULID[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const digest = createHash('sha256').update(identity).digest();
  let tail = '';
  for (let i = 0; i < 16; i++) tail += ULID[digest[i]! % 32];
  return `nev_${time}${tail}`;
}

/** The two parties of a request, for events whose item does not name them (comments). */
export type RequestLookup = (requestId: string) => Promise<Pick<EvidenceRequest, 'requestId' | 'buyerOrgId' | 'factoryId' | 'title'> | undefined>;

const isRequest = (change: TableChange) => change.keys.pk.startsWith('REQUEST#') && change.keys.sk === 'REQUEST';
const isComment = (change: TableChange) => change.keys.pk.startsWith('REQUEST#') && change.keys.sk.startsWith('COMMENT#');
const isMarker = (change: TableChange) => change.newImage?.['entity'] === EVENT_MARKER_ENTITY;
const isUser = (change: TableChange) => change.keys.pk.startsWith('USER#') && change.keys.sk === 'USER';

/** A new user of an organisation: in-app for that user and the organisation's webhooks; the invitation e-mail is the directory's. */
function userEvents(change: TableChange): ProductEvent[] {
  const user = change.newImage as { userId?: string; username?: string; role?: string; orgId?: string; createdAt?: string } | undefined;
  if (change.eventName !== 'INSERT' || !user?.userId || !user.orgId) return [];
  const at = user.createdAt ?? new Date(0).toISOString();
  return [
    {
      eventId: eventIdOf(`user.invited/${user.userId}`, at),
      type: 'user.invited',
      occurredAt: at,
      subject: { type: 'user', id: user.userId },
      audience: { orgIds: [user.orgId], userIds: [user.userId] },
      data: { userId: user.userId, username: user.username ?? '', role: user.role ?? '', orgId: user.orgId },
      mail: false,
    },
  ];
}

const isPack = (change: TableChange) => change.keys.pk.startsWith('PACK#') && change.keys.sk === 'PACK';

/** The pack's fields the notifier reads (the pack builder sets status READY and readyAt). */
interface PackImage {
  readonly packId: string;
  readonly title: string;
  readonly ownerOrgId: string;
  readonly createdBy: string;
  readonly status: string;
  readonly readyAt?: string;
  readonly updatedAt?: string;
}

function packEvents(change: TableChange): ProductEvent[] {
  const after = change.newImage as PackImage | undefined;
  const before = change.oldImage as PackImage | undefined;
  if (!after || after.status !== 'READY' || before?.status === 'READY') return [];
  const at = after.readyAt ?? after.updatedAt ?? new Date(0).toISOString();
  return [
    {
      eventId: eventIdOf(`pack.ready/${after.packId}`, at),
      type: 'pack.ready',
      occurredAt: at,
      subject: { type: 'pack', id: after.packId },
      audience: { orgIds: [after.ownerOrgId], userIds: [after.createdBy] },
      data: { packId: after.packId, title: after.title, ownerOrgId: after.ownerOrgId },
    },
  ];
}

function requestEvents(change: TableChange): ProductEvent[] {
  const after = change.newImage as EvidenceRequest | undefined;
  if (!after) return [];
  const base = { requestId: after.requestId, title: after.title, buyerOrgId: after.buyerOrgId, factoryId: after.factoryId };
  const subject: SubjectRef = { type: 'request', id: after.requestId };
  if (change.eventName === 'INSERT') {
    return [
      {
        eventId: eventIdOf(`request.created/${after.requestId}`, after.createdAt),
        type: 'request.created',
        occurredAt: after.createdAt,
        subject,
        audience: { orgIds: [after.factoryId] },
        data: { ...base, itemCount: after.items.length, ...(after.dueDate !== undefined && { dueDate: after.dueDate }) },
      },
    ];
  }
  const before = change.oldImage as EvidenceRequest | undefined;
  if (change.eventName !== 'MODIFY' || !before) return [];
  const events: ProductEvent[] = [];
  const previous = new Map(before.items.map((item) => [item.itemId, item]));
  for (const item of after.items) {
    const old = previous.get(item.itemId);
    if (!old || old.status === item.status) continue;
    const itemData = { ...base, itemId: item.itemId, docType: item.docType };
    if (item.status === 'FULFILLED') {
      const at = item.fulfilledAt ?? after.updatedAt;
      events.push({
        eventId: eventIdOf(`item.fulfilled/${after.requestId}/${item.itemId}/${at}`, at),
        type: 'item.fulfilled',
        occurredAt: at,
        subject,
        audience: { orgIds: [after.buyerOrgId] },
        data: { ...itemData, ...(item.evidenceId !== undefined && { evidenceId: item.evidenceId }), ...(item.evidenceVersion !== undefined && { evidenceVersion: item.evidenceVersion }) },
      });
    } else if (old.status === 'FULFILLED' && (item.status === 'ACCEPTED' || item.status === 'REJECTED')) {
      const review = lastReview(item);
      const at = review?.at ?? after.updatedAt;
      events.push({
        eventId: eventIdOf(`item.reviewed/${after.requestId}/${item.itemId}/${at}`, at),
        type: 'item.reviewed',
        occurredAt: at,
        subject,
        audience: { orgIds: [after.factoryId] },
        data: { ...itemData, decision: item.status === 'ACCEPTED' ? 'ACCEPT' : 'REJECT' },
      });
    }
  }
  if (after.status === 'CANCELLED' && before.status !== 'CANCELLED') {
    const at = after.cancelledAt ?? after.updatedAt;
    events.push({
      eventId: eventIdOf(`request.cancelled/${after.requestId}`, at),
      type: 'request.cancelled',
      occurredAt: at,
      subject,
      audience: { orgIds: [after.factoryId] },
      data: base,
    });
  }
  return events;
}

function lastReview(item: RequestItem) {
  return item.reviews?.at(-1);
}

async function commentEvents(change: TableChange, lookup: RequestLookup): Promise<ProductEvent[]> {
  if (change.eventName !== 'INSERT' || !change.newImage) return [];
  const comment = change.newImage as Comment;
  const request = await lookup(comment.requestId);
  if (!request) return [];
  // The other party: a buyer's comment goes to the factory, a factory's to the buyer org.
  const to = comment.author.orgId === request.buyerOrgId ? request.factoryId : request.buyerOrgId;
  return [
    {
      eventId: eventIdOf(`comment.created/${comment.commentId}`, comment.createdAt),
      type: 'comment.created',
      occurredAt: comment.createdAt,
      subject: { type: 'request', id: request.requestId },
      audience: { orgIds: [to] },
      data: {
        requestId: request.requestId,
        title: request.title,
        commentId: comment.commentId,
        fromOrgId: comment.author.orgId,
        ...(comment.itemId !== undefined && { itemId: comment.itemId }),
      },
    },
  ];
}

/** Events of one table change; `lookup` reads a request's parties when the change does not carry them. */
export async function eventsOf(change: TableChange, lookup: RequestLookup): Promise<ProductEvent[]> {
  if (isMarker(change)) return change.eventName === 'INSERT' ? [change.newImage!['event'] as ProductEvent] : [];
  if (isRequest(change)) return requestEvents(change);
  if (isComment(change)) return commentEvents(change, lookup);
  if (isPack(change)) return packEvents(change);
  if (isUser(change)) return userEvents(change);
  return [];
}
