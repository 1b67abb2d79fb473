/**
 * Notifications: the notifier's fan-out of one event (in-app inboxes, e-mail, webhook
 * queue), the inbox endpoints, the webhook endpoints and the webhook delivery worker.
 */
import { createHash } from 'node:crypto';
import type { CreateWebhookBody, Delivery, EventType, ListNotificationsQuery, Notification, Webhook } from '../../schemas/notifications.js';
import { EventType as EventTypes } from '../../schemas/notifications.js';
import { authorize, orgOf } from '../access.js';
import { systemEvent } from '../audit-trail.js';
import { ConcurrentUpdateError, HiddenNotFoundError, NotFoundError } from '../errors.js';
import { sortableId } from '../ids.js';
import type { ProductEvent } from '../notification-events.js';
import type { DeliveryMessage, DeliveryQueue, HostResolver, Inbox, OrganisationMembers, Recipient, StoredWebhook, WebhookRepository, WebhookTransport } from '../notification-ports.js';
import { renderNotification } from '../notification-templates.js';
import type { Page } from '../ports.js';
import { checkWebhookUrl, type UrlPolicy } from '../webhook-url.js';
import {
  backoffMs,
  delivered,
  deliveryIdOf,
  newWebhookSecret,
  queueDelaySeconds,
  RETRY_WINDOW_MS,
  signatureHeaders,
  webhookBody,
} from '../webhooks.js';
import type { UseCaseContext, UseCaseInput } from './context.js';
import { pageOf } from './requests.js';

/** One e-mail message (the mail port's shape). */
export interface NotificationMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface NotifierDeps {
  readonly members: OrganisationMembers;
  readonly inbox: Inbox;
  /** E-mail; without it notifications are in-app and webhooks only. */
  readonly mail?: { send(mail: NotificationMail): Promise<void> } | undefined;
  readonly webhooks: WebhookRepository;
  readonly queue: DeliveryQueue;
  /** The web console's base URL of this stage: every text links into it. */
  readonly consoleBaseUrl: string;
  readonly now: () => Date;
}

const USER_TAG_LENGTH = 10;
/** Ten characters naming an inbox: a notification id tells whose it is without a lookup. */
const userTag = (userId: string) => createHash('sha256').update(`inbox/${userId}`).digest('base64url').slice(0, USER_TAG_LENGTH).replace(/[-_]/g, 'x');

/** The notification id of an event in one inbox: sortable by the event's time, ending with its recipient's tag. */
export const notificationIdOf = (event: Pick<ProductEvent, 'eventId'>, userId: string) => `ntf_${event.eventId.slice(4)}${userTag(userId)}`;

/** Whether a notification id names one of this user's notifications (else it is another user's, or forged). */
export const isNotificationOf = (notificationId: string, userId: string) => notificationId.endsWith(userTag(userId));

const isWebhookEvent = (type: string): type is EventType => (EventTypes.options as readonly string[]).includes(type);

/**
 * Fans one event out, idempotently (the stream delivers at least once):
 * 1. every active member of each receiving organisation gets the notification in their
 *    inbox, once (a conditional put keyed by the event);
 * 2. each ACTIVE webhook of the organisation subscribed to the event gets one delivery on
 *    the queue (queued, then marked; the delivery id repeats, so receivers deduplicate);
 * 3. a member with an e-mail address gets one e-mail, sent unless the inbox entry says it
 *    went (sent, then marked: a crash in between may send it twice, never zero times).
 */
export async function notify(deps: NotifierDeps, event: ProductEvent): Promise<{ readonly inboxes: number; readonly mails: number; readonly deliveries: number }> {
  const rendered = renderNotification(event, deps.consoleBaseUrl);
  const counts = { inboxes: 0, mails: 0, deliveries: 0 };
  const recipients = new Map<string, Recipient>();
  const only = event.audience.userIds && new Set(event.audience.userIds);
  for (const orgId of event.audience.orgIds) {
    for (const member of await deps.members.membersOf(orgId)) if (!only || only.has(member.userId)) recipients.set(member.userId, member);
  }
  const toMail: { recipient: Recipient; notificationId: string }[] = [];
  for (const recipient of recipients.values()) {
    const notificationId = notificationIdOf(event, recipient.userId);
    const { created, stored } = await deps.inbox.deliver({
      notificationId,
      userId: recipient.userId,
      eventId: event.eventId,
      event: event.type,
      subject: event.subject,
      summary: rendered.summary,
      createdAt: event.occurredAt,
    });
    if (created) counts.inboxes++;
    if (deps.mail && event.mail !== false && recipient.email && stored.mailedAt === undefined) toMail.push({ recipient, notificationId });
  }
  if (isWebhookEvent(event.type)) {
    const body = webhookBody({ ...event, type: event.type }, rendered);
    for (const orgId of event.audience.orgIds) {
      for (const webhook of await deps.webhooks.subscribed(orgId, event.type)) {
        const deliveryId = deliveryIdOf(webhook.webhookId, event.eventId);
        if (await deps.webhooks.wasQueued(webhook.webhookId, deliveryId)) continue;
        const at = deps.now().toISOString();
        await deps.queue.enqueue({ deliveryId, webhookId: webhook.webhookId, event: event.type, body, attempt: 1, firstAttemptAt: at, notBefore: at }, 0);
        await deps.webhooks.markQueued(webhook.webhookId, deliveryId, at);
        counts.deliveries++;
      }
    }
  }
  // E-mail last: a mail service that refuses fails the batch (retried), never the inboxes or webhooks already done.
  for (const { recipient, notificationId } of toMail) {
    await deps.mail!.send({ to: recipient.email!, subject: rendered.subject, text: rendered.text, html: rendered.html });
    await deps.inbox.markMailed(recipient.userId, notificationId, deps.now().toISOString());
    counts.mails++;
  }
  return counts;
}

// ---- the inbox ------------------------------------------------------------------------------

export interface InboxDeps {
  readonly inbox: Inbox;
}

export async function listNotifications(deps: InboxDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, ListNotificationsQuery>): Promise<Page<Notification>> {
  authorize(ctx.principal, 'listNotifications');
  return deps.inbox.list(ctx.principal.userId, { unread: input.query.unread === 'true' }, pageOf(input.query));
}

/** Only the recipient reads a notification: another user's id answers 404, as an unknown one. */
export async function readNotification(deps: InboxDeps, ctx: UseCaseContext, input: UseCaseInput<{ readonly notificationId: string }, undefined, unknown>): Promise<Notification> {
  authorize(ctx.principal, 'readNotification');
  const { notificationId } = input.path;
  // Another user's notification answers as an unknown one; the audit records the attempt as DENIED.
  if (!isNotificationOf(notificationId, ctx.principal.userId)) throw new HiddenNotFoundError('notification-not-found', 'No such notification');
  const existing = await deps.inbox.get(ctx.principal.userId, notificationId);
  if (!existing) throw new NotFoundError('notification-not-found', 'No such notification');
  ctx.audit.identify(notificationId);
  let answer: Notification = existing;
  await ctx.audit.commit({ readAt: { from: existing.readAt ?? null, to: existing.readAt ?? ctx.now().toISOString() } }, async (event) => {
    answer = await deps.inbox.markRead(ctx.principal.userId, notificationId, ctx.now().toISOString(), event);
  });
  return answer;
}

// ---- webhooks ------------------------------------------------------------------------------

export interface WebhookDeps {
  readonly webhooks: WebhookRepository;
  readonly resolveHost: HostResolver;
  readonly urlPolicy: UrlPolicy;
}

export const newWebhookId = (now: number) => `whk_${sortableId(now)}`;
const publicView = ({ secret: _secret, failingSince: _failing, ...webhook }: StoredWebhook): Webhook => webhook;

/**
 * 1. A buyer or factory registers a webhook for its own organisation.
 * 2. The URL must pass the guard (https, public addresses only; locally http://127.0.0.1).
 * 3. The signing secret is made here and answered once; the webhook and its audit event are one write.
 */
export async function createWebhook(deps: WebhookDeps, ctx: UseCaseContext, input: UseCaseInput<undefined, undefined, CreateWebhookBody>): Promise<Webhook & { secret: string }> {
  authorize(ctx.principal, 'createWebhook');
  const orgId = orgOf(ctx.principal);
  const { url } = await checkWebhookUrl(input.body.url, deps.urlPolicy, deps.resolveHost);
  const now = ctx.now();
  const webhook: StoredWebhook = {
    webhookId: newWebhookId(now.getTime()),
    orgId,
    url: url.toString(),
    events: [...new Set(input.body.events)],
    status: 'ACTIVE',
    createdAt: now.toISOString(),
    createdBy: ctx.principal.userId,
    secret: newWebhookSecret(),
  };
  ctx.audit.identify(webhook.webhookId);
  await ctx.audit.commit({ url: webhook.url, events: webhook.events, status: 'ACTIVE' }, (event) => deps.webhooks.create(webhook, event));
  return { ...publicView(webhook), secret: webhook.secret };
}

export async function listWebhooks(deps: WebhookDeps, ctx: UseCaseContext): Promise<{ items: Webhook[] }> {
  const scope = authorize(ctx.principal, 'listWebhooks');
  return { items: await deps.webhooks.list(scope === 'all' ? { by: 'all' } : { by: 'org', orgId: orgOf(ctx.principal) }) };
}

async function loadWebhook(deps: WebhookDeps, ctx: UseCaseContext, operation: 'disableWebhook' | 'listWebhookDeliveries', webhookId: string): Promise<StoredWebhook> {
  const scope = authorize(ctx.principal, operation);
  const webhook = await deps.webhooks.get(webhookId);
  if (!webhook) throw new NotFoundError('webhook-not-found', 'No such webhook');
  if (scope !== 'all' && webhook.orgId !== ctx.principal.orgId) throw new HiddenNotFoundError('webhook-not-found', 'No such webhook');
  return webhook;
}

export async function disableWebhook(deps: WebhookDeps, ctx: UseCaseContext, input: UseCaseInput<{ readonly webhookId: string }, undefined, unknown>): Promise<Webhook> {
  const webhook = await loadWebhook(deps, ctx, 'disableWebhook', input.path.webhookId);
  if (webhook.status === 'DISABLED') return publicView(webhook);
  let answer: Webhook = publicView(webhook);
  const at = ctx.now().toISOString();
  await ctx.audit.commit({ status: { from: 'ACTIVE', to: 'DISABLED' } }, async (event) => {
    answer = await deps.webhooks.disable(webhook.webhookId, { at, reason: `disabled by ${ctx.principal.username}` }, event);
  });
  return answer;
}

export async function listWebhookDeliveries(
  deps: WebhookDeps,
  ctx: UseCaseContext,
  input: UseCaseInput<{ readonly webhookId: string }, { limit?: number | undefined; cursor?: string | undefined }>,
): Promise<Page<Delivery>> {
  const webhook = await loadWebhook(deps, ctx, 'listWebhookDeliveries', input.path.webhookId);
  return deps.webhooks.listDeliveries(webhook.webhookId, pageOf(input.query));
}

// ---- the delivery worker -------------------------------------------------------------------

export interface DeliveryDeps {
  readonly webhooks: WebhookRepository;
  readonly queue: DeliveryQueue;
  readonly transport: WebhookTransport;
  readonly resolveHost: HostResolver;
  readonly urlPolicy: UrlPolicy;
  readonly now: () => Date;
  /** Per attempt. @default 10 s */
  readonly timeoutMs?: number;
  readonly random?: () => number;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'waiting' | 'given-up' | 'disabled' | 'webhook-gone';

/**
 * One message from the delivery queue:
 * 1. a message whose backoff has not run out is put back with the rest of its delay;
 * 2. a webhook that is gone or DISABLED gets nothing;
 * 3. the URL is checked again (DNS may have changed) and the POST goes to the checked address;
 * 4. every attempt is logged; a failure is retried with backoff while within 24 hours of the
 *    first attempt; a webhook failing for 24 hours is disabled and its organisation told.
 */
export async function deliverWebhook(deps: DeliveryDeps, message: DeliveryMessage): Promise<DeliveryOutcome> {
  const now = deps.now();
  if (Date.parse(message.notBefore) > now.getTime()) {
    await deps.queue.enqueue(message, queueDelaySeconds(new Date(message.notBefore), now));
    return 'waiting';
  }
  const webhook = await deps.webhooks.get(message.webhookId);
  if (!webhook) return 'webhook-gone';
  if (webhook.status !== 'ACTIVE') return 'disabled';

  let statusCode: number | undefined;
  let error: string | undefined;
  try {
    const target = await checkWebhookUrl(webhook.url, deps.urlPolicy, deps.resolveHost);
    const headers = signatureHeaders(webhook.secret, message.deliveryId, now, message.body);
    statusCode = (await deps.transport.post({ url: target.url, address: target.address, headers, body: message.body, timeoutMs: deps.timeoutMs ?? 10_000 })).statusCode;
  } catch (cause) {
    error = cause instanceof Error ? (cause.message || cause.name).slice(0, 500) : 'delivery failed';
  }
  const ok = statusCode !== undefined && delivered(statusCode);
  const at = now.toISOString();
  await deps.webhooks.logDelivery(webhook.webhookId, {
    deliveryId: message.deliveryId,
    event: message.event,
    attempt: message.attempt,
    ...(statusCode !== undefined && { statusCode }),
    ...(error !== undefined && !ok && { error }),
    at,
  });
  const after = await deps.webhooks.recordOutcome(webhook.webhookId, { ok, at });
  if (ok) return 'delivered';

  const failingSince = Date.parse(after?.failingSince ?? at);
  if (now.getTime() - failingSince >= RETRY_WINDOW_MS) {
    await disableFailing(deps, webhook, now);
    return 'disabled';
  }
  // The last attempt falls at the end of the 24 hours: if it fails too, the webhook has failed for 24 hours.
  const deadline = Date.parse(message.firstAttemptAt) + RETRY_WINDOW_MS;
  if (now.getTime() >= deadline) return 'given-up';
  const next = new Date(Math.min(now.getTime() + backoffMs(message.attempt, deps.random), deadline));
  await deps.queue.enqueue({ ...message, attempt: message.attempt + 1, notBefore: next.toISOString() }, queueDelaySeconds(next, now));
  return 'retry';
}

/** Disables the webhook (audited, actor: the system) and leaves the notice its organisation is told of. */
async function disableFailing(deps: DeliveryDeps, webhook: StoredWebhook, now: Date): Promise<void> {
  const at = now.toISOString();
  const reason = `deliveries failed for 24 hours since ${webhook.failingSince ?? at}`;
  const audit = systemEvent({
    action: 'webhook.auto-disable',
    outcome: 'SUCCESS',
    resource: { type: 'webhook', id: webhook.webhookId },
    statusCode: 200,
    correlationId: `webhook-worker/${webhook.webhookId}`,
    reason,
    changes: { status: { from: 'ACTIVE', to: 'DISABLED' }, failingSince: webhook.failingSince ?? at },
    now,
  });
  const notice: ProductEvent = {
    eventId: `nev_${sortableId(now.getTime())}`,
    type: 'webhook.disabled',
    occurredAt: at,
    subject: { type: 'webhook', id: webhook.webhookId },
    audience: { orgIds: [webhook.orgId] },
    data: { webhookId: webhook.webhookId, url: webhook.url },
  };
  try {
    await deps.webhooks.disable(webhook.webhookId, { at, reason }, audit, notice);
  } catch (error) {
    // Disabled meanwhile (by its org, or by a redelivered message): nothing more to do.
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}
