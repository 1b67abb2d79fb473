/**
 * The audit event: what the API returns, what the table stores (plus keys and TTL) and
 * what the archive writes, one line per event. The Glue columns derive from it too.
 */
import * as z from 'zod/mini';
import { Cursor, Id, InputTimestamp, Limit, Role, Timestamp, text } from './common.js';

export const Outcome = z.enum(['SUCCESS', 'DENIED', 'FAILED']);
export type Outcome = z.infer<typeof Outcome>;

export const AuditAction = z.enum([
  'request.create',
  'request.list',
  'request.read',
  'request.item.fulfill',
  'request.item.review',
  'request.cancel',
  'request.history.read',
  'evidence.create',
  'evidence.list',
  'evidence.read',
  'evidence.version.create',
  'evidence.file.upload-url',
  'evidence.file.download',
  /** The file verifier (actor: the system) marked a version's file AVAILABLE or REJECTED. */
  'evidence.file.verify',
  'audit.read',
  /** Written hourly by the scheduled export; its arrival in the archive proves the pipeline works. */
  'system.heartbeat',
  'request.comment.create',
  'request.comment.list',
  'notification.list',
  'notification.read',
  'webhook.create',
  'webhook.list',
  'webhook.disable',
  'webhook.deliveries.read',
  /** The webhook worker (actor: the system) disabled a webhook after 24 hours of failed deliveries. */
  'webhook.auto-disable',
  'organisation.list',
  'organisation.read',
  'organisation.create',
  'organisation.suspend',
  'user.list',
  'user.create',
  'user.change-role',
  'user.disable',
  'user.enable',
  'user.data-export',
  'user.erase',
  'pack.create',
  'pack.list',
  'pack.read',
  'pack.download',
  /** The pack builder (actor: the system) made the ZIP (READY) or gave up (FAILED). */
  'pack.build',
  'share.create',
  'share.list',
  'share.revoke',
  /** A share link was used (actor: anonymous); names the link, never its token. */
  'share.access',
]);
export type AuditAction = z.infer<typeof AuditAction>;

export const ResourceType = z.enum(['request', 'evidence', 'audit', 'system', 'notification', 'webhook', 'organisation', 'user', 'pack', 'share']);
export type ResourceType = z.infer<typeof ResourceType>;

export const AuditEvent = z
  .object({
    eventId: Id,
    occurredAt: Timestamp,
    action: AuditAction,
    outcome: Outcome,
    /**
     * `username` (1.1) names the actor readably. Stored sealed (personal-data vault): in the
     * table and the archive it is `sealed:v1:…`, answered opened, or `(erased)` once the
     * actor was erased. Optional only for events written before 1.1.
     */
    actor: z.object({ userId: Id, role: z.string(), orgId: z.optional(Id), username: z.optional(z.string()) }),
    resource: z.object({ type: ResourceType, id: z.optional(Id) }),
    statusCode: z.int(),
    reason: z.optional(z.string()),
    correlationId: z.string(),
    sourceIp: z.optional(z.string()),
    userAgent: z.optional(z.string()),
    /** What the call changed: for a state change, the fields before and after. */
    changes: z.optional(z.record(z.string(), z.unknown())),
  })
  .register(z.globalRegistry, { id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

export const ListAuditQuery = z.strictObject({
  from: z.optional(InputTimestamp),
  to: z.optional(InputTimestamp),
  actorId: z.optional(Id),
  /** The actor's current username (1.1); an erased user's events are found by `actorId` only. */
  actorUsername: z.optional(Id),
  action: z.optional(AuditAction),
  resourceType: z.optional(ResourceType),
  resourceId: z.optional(Id),
  outcome: z.optional(Outcome),
  limit: Limit,
  cursor: Cursor,
});
export type ListAuditQuery = z.infer<typeof ListAuditQuery>;

/** A request's history: its pages, narrowed to one actor by id or username (1.1). */
export const HistoryQuery = z.strictObject({ actorId: z.optional(Id), actorUsername: z.optional(Id), limit: Limit, cursor: Cursor });
export type HistoryQuery = z.infer<typeof HistoryQuery>;

export const AuditPage = z.object({ items: z.array(AuditEvent), nextCursor: z.optional(text(1, 4096)) });

export { Role };
