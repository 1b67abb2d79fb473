/** Notifications and webhooks (API.md 1.1 "Notifications and webhooks"). */
import * as z from 'zod/mini';
import { Cursor, Id, Limit, Timestamp, pageOf, text } from './common.js';

/** The events of the contract: what a webhook may subscribe to. */
export const EventType = z.enum([
  'request.created',
  'item.fulfilled',
  'item.reviewed',
  'request.cancelled',
  'comment.created',
  'request.due-soon',
  'request.overdue',
  'evidence.expiring',
  'pack.ready',
  'user.invited',
]);
export type EventType = z.infer<typeof EventType>;

/** Besides the contract's events, the product tells an org when one of its webhooks was disabled (in-app and e-mail only). */
export const NotificationEventType = z.enum([...EventType.options, 'webhook.disabled']);
export type NotificationEventType = z.infer<typeof NotificationEventType>;

export const SubjectType = z.enum(['request', 'evidence', 'pack', 'webhook', 'user']);

export const Notification = z
  .object({
    notificationId: Id,
    event: NotificationEventType,
    subject: z.object({ type: SubjectType, id: Id }),
    summary: z.string(),
    createdAt: Timestamp,
    readAt: z.optional(Timestamp),
  })
  .register(z.globalRegistry, { id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const ListNotificationsQuery = z.strictObject({ unread: z.optional(z.enum(['true'])), limit: Limit, cursor: Cursor });
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuery>;
export const NotificationPath = z.strictObject({ notificationId: Id });
export const NotificationPage = pageOf(Notification);

export const WebhookStatus = z.enum(['ACTIVE', 'DISABLED']);
export type WebhookStatus = z.infer<typeof WebhookStatus>;

/** An absolute URL, checked further (scheme, addresses) by the webhook URL guard. */
export const WebhookUrl = text(1, 2048);

export const CreateWebhookBody = z.strictObject({
  url: WebhookUrl,
  events: z.array(EventType).check(z.minLength(1), z.maxLength(EventType.options.length)),
});
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const Webhook = z
  .object({
    webhookId: Id,
    orgId: Id,
    url: z.string(),
    events: z.array(EventType),
    status: WebhookStatus,
    createdAt: Timestamp,
    createdBy: Id,
    disabledAt: z.optional(Timestamp),
    disabledReason: z.optional(z.string()),
  })
  .register(z.globalRegistry, { id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

/** The answer to a creation: the only time the signing secret is shown. */
export const CreatedWebhook = z.object({ ...Webhook.shape, secret: z.string() });
export const WebhookPath = z.strictObject({ webhookId: Id });
export const WebhookList = z.object({ items: z.array(Webhook) });
export const EmptyBody = z.strictObject({});

export const Delivery = z
  .object({
    deliveryId: Id,
    event: EventType,
    attempt: z.int(),
    statusCode: z.optional(z.int()),
    error: z.optional(z.string()),
    at: Timestamp,
  })
  .register(z.globalRegistry, { id: 'WebhookDelivery' });
export type Delivery = z.infer<typeof Delivery>;
export const DeliveriesQuery = z.strictObject({ limit: Limit, cursor: Cursor });
export const DeliveryPage = pageOf(Delivery);
