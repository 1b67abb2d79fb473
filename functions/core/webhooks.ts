/**
 * Webhook deliveries (Standard Webhooks, https://www.standardwebhooks.com): the signature,
 * the payload, the retry schedule. A delivery is retried with exponential backoff on anything
 * but 2xx for 24 hours from its first attempt; a webhook whose deliveries have failed for 24
 * hours is disabled. Pure: no I/O.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { EventType } from '../schemas/notifications.js';
import type { ProductEvent } from './notification-events.js';

/** A new signing secret: `whsec_` and 32 random bytes in base64 (the scheme's format). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The Standard Webhooks headers of one attempt: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret's bytes. */
export function signatureHeaders(secret: string, deliveryId: string, at: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${deliveryId}.${timestamp}.${body}`).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': deliveryId,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

/** The delivery id of one event to one webhook: the same on every attempt and redelivery (receivers deduplicate by `webhook-id`). */
export function deliveryIdOf(webhookId: string, eventId: string): string {
  return `msg_${createHash('sha256').update(`${webhookId}/${eventId}`).digest('base64url').slice(0, 26)}`;
}

/** The POSTed JSON: `{type, timestamp, data}`. */
export function webhookBody(event: ProductEvent & { readonly type: EventType }, extra: { readonly summary: string; readonly link: string }): string {
  return JSON.stringify({
    type: event.type,
    timestamp: event.occurredAt,
    data: { eventId: event.eventId, subject: event.subject, summary: extra.summary, link: extra.link, ...event.data },
  });
}

/** How long deliveries are retried, and how long a webhook may fail before it is disabled. */
export const RETRY_WINDOW_MS = 24 * 3600_000;
const FIRST_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 4 * 3600_000;

/** The wait after a failed attempt `attempt` (1-based): 30 s, 1 min, 2 min, ... capped at 4 h, with up to 10 % jitter. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
  return Math.round(base * (1 + 0.1 * random()));
}

/** The longest delay an SQS message may carry; a longer backoff is waited out by re-enqueueing. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/** The delay to put on a message not to be tried before `notBefore`. */
export function queueDelaySeconds(notBefore: Date, now: Date): number {
  return Math.max(0, Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil((notBefore.getTime() - now.getTime()) / 1000)));
}

/** Is the status a success? Only 2xx is. */
export const delivered = (statusCode: number) => statusCode >= 200 && statusCode < 300;
