/** What the notifier, the inbox API, the webhook worker and the reminder sweep need from the outside. */
import type { AuditEvent } from '../schemas/audit.js';
import type { Delivery, EventType, Notification, Webhook } from '../schemas/notifications.js';
import type { ProductEvent } from './notification-events.js';
import type { Page, PageRequest } from './ports.js';

/** A user who receives an organisation's notifications. */
export interface Recipient {
  readonly userId: string;
  readonly username: string;
  /** Absent: in-app only. */
  readonly email?: string | undefined;
}

/** The active users of an organisation. */
export interface OrganisationMembers {
  membersOf(orgId: string): Promise<Recipient[]>;
}

/** A notification as one inbox holds it. */
export interface InboxEntry extends Notification {
  readonly userId: string;
  readonly eventId: string;
  /** Set once its e-mail was handed to the mail service. */
  readonly mailedAt?: string | undefined;
}

export interface Inbox {
  /**
   * Puts the entry unless the inbox already holds its event (a conditional put): answers
   * whether it was new, and the stored entry (whose `mailedAt` says whether its e-mail went).
   */
  deliver(entry: InboxEntry): Promise<{ readonly created: boolean; readonly stored: InboxEntry }>;
  markMailed(userId: string, notificationId: string, at: string): Promise<void>;
  /** Newest first. */
  list(userId: string, filter: { readonly unread?: boolean | undefined }, page: PageRequest): Promise<Page<Notification>>;
  get(userId: string, notificationId: string): Promise<Notification | undefined>;
  /**
   * Sets `readAt` (once: a second read keeps the first moment) with the audit event.
   * @throws NotFoundError `notification-not-found` when the inbox holds no such notification.
   */
  markRead(userId: string, notificationId: string, at: string, audit: AuditEvent): Promise<Notification>;
}

/** A webhook as stored: with its signing secret and its failure streak. */
export interface StoredWebhook extends Webhook {
  readonly secret: string;
  /** The first failed delivery since the last success. */
  readonly failingSince?: string | undefined;
}

export type WebhookScope = { readonly by: 'org'; readonly orgId: string } | { readonly by: 'all' };

export interface WebhookRepository {
  create(webhook: StoredWebhook, audit: AuditEvent): Promise<void>;
  get(webhookId: string): Promise<StoredWebhook | undefined>;
  list(scope: WebhookScope): Promise<Webhook[]>;
  /** The ACTIVE webhooks of the organisation subscribed to the event type. */
  subscribed(orgId: string, type: EventType): Promise<StoredWebhook[]>;
  /**
   * Disables an ACTIVE webhook, with the audit event and, when given, the notice its
   * organisation is told of, in one transaction.
   * @throws ConcurrentUpdateError when it is no longer ACTIVE.
   */
  disable(webhookId: string, change: { readonly at: string; readonly reason: string }, audit: AuditEvent, notice?: ProductEvent): Promise<Webhook>;
  /** Remembers the first failure of a streak (kept if already set); a success clears it. */
  recordOutcome(webhookId: string, outcome: { readonly ok: boolean; readonly at: string }): Promise<StoredWebhook | undefined>;
  logDelivery(webhookId: string, delivery: Delivery): Promise<void>;
  listDeliveries(webhookId: string, page: PageRequest): Promise<Page<Delivery>>;
  /** Whether a delivery of this id was queued already (a redelivered stream batch). */
  wasQueued(webhookId: string, deliveryId: string): Promise<boolean>;
  markQueued(webhookId: string, deliveryId: string, at: string): Promise<void>;
}

/** One delivery of one event to one webhook, as it travels on the queue. */
export interface DeliveryMessage {
  readonly deliveryId: string;
  readonly webhookId: string;
  readonly event: EventType;
  /** The JSON body, exactly as signed and sent on every attempt. */
  readonly body: string;
  /** 1 for the first attempt; each attempt is signed anew with its own `webhook-timestamp`. */
  readonly attempt: number;
  readonly firstAttemptAt: string;
  /** Not to be tried before this moment: a backoff longer than the queue's longest delay is waited out by re-enqueueing. */
  readonly notBefore: string;
}

/** The webhook delivery queue: SQS in AWS (DelaySeconds up to 900), a local delayed queue in `npm start`. */
export interface DeliveryQueue {
  enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void>;
}

/** Resolves a host name to every address it has (A and AAAA). */
export type HostResolver = (host: string) => Promise<string[]>;

/** Sends one signed POST to an address already checked, so the name is not resolved again. */
export interface WebhookTransport {
  post(request: {
    readonly url: URL;
    /** The checked address to connect to (DNS rebinding cannot move the connection elsewhere). */
    readonly address: string;
    readonly headers: Record<string, string>;
    readonly body: string;
    readonly timeoutMs: number;
  }): Promise<{ readonly statusCode: number }>;
}

/** Marker items of jobs (reminders, notices): written once; their INSERT carries the event to the notifier. */
export interface EventMarkers {
  /** Writes the marker unless it exists; answers whether it was new. */
  put(markerKey: string, event: ProductEvent): Promise<boolean>;
}
