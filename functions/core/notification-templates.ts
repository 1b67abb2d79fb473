/**
 * Every text the product sends about an event, in one place: the in-app summary, the e-mail
 * subject, text and HTML. Each names the request or evidence and links to it in the web
 * console (`<console base URL>/requests/{id}` ...), the base URL being configured per stage.
 */
import type { NotificationEventType } from '../schemas/notifications.js';
import type { ProductEvent, SubjectRef } from './notification-events.js';

export interface RenderedNotification {
  /** The in-app notification's one line. */
  readonly summary: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Where the console shows the subject. */
  readonly link: string;
}

const CONSOLE_PATHS: Record<SubjectRef['type'], string> = {
  request: 'requests',
  evidence: 'evidence',
  pack: 'packs',
  webhook: 'webhooks',
  user: 'users',
};

/** The console's page of a subject. */
export function consoleLink(consoleBaseUrl: string, subject: SubjectRef): string {
  return `${consoleBaseUrl.replace(/\/+$/, '')}/${CONSOLE_PATHS[subject.type]}/${encodeURIComponent(subject.id)}`;
}

type Data = ProductEvent['data'];
const str = (data: Data, key: string) => String(data[key] ?? '');
const quoted = (data: Data) => `"${str(data, 'title')}" (${str(data, 'requestId')})`;
const evidence = (data: Data) => `"${str(data, 'name')}" version ${str(data, 'version')} (${str(data, 'evidenceId')})`;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One line per event type; the subject line of the e-mail is the same sentence. */
const SUMMARIES: Record<NotificationEventType, (data: Data) => string> = {
  'request.created': (d) => `New request ${quoted(d)} from ${str(d, 'buyerOrgId')}: ${plural(Number(d['itemCount'] ?? 0), 'document')}${d['dueDate'] ? `, due ${str(d, 'dueDate')}` : ''}`,
  'item.fulfilled': (d) => `${str(d, 'factoryId')} fulfilled the ${str(d, 'docType')} item of request ${quoted(d)}`,
  'item.reviewed': (d) => `${str(d, 'buyerOrgId')} ${d['decision'] === 'ACCEPT' ? 'accepted' : 'rejected'} the ${str(d, 'docType')} item of request ${quoted(d)}`,
  'request.cancelled': (d) => `${str(d, 'buyerOrgId')} cancelled request ${quoted(d)}`,
  'comment.created': (d) => `New comment from ${str(d, 'fromOrgId')} on request ${quoted(d)}`,
  'request.due-soon': (d) => `Request ${quoted(d)} is due on ${str(d, 'dueDate')}`,
  'request.overdue': (d) => `Request ${quoted(d)} is overdue: it was due on ${str(d, 'dueDate')}`,
  'evidence.expiring': (d) => `Evidence ${evidence(d)} expires on ${str(d, 'expiresAt').slice(0, 10)} (in ${plural(Number(d['daysLeft'] ?? 0), 'day')})`,
  'pack.ready': (d) => `Pack "${str(d, 'title')}" (${str(d, 'packId')}) is ready to download`,
  'user.invited': (d) => `You were invited as ${str(d, 'role')} (${str(d, 'username')})`,
  'webhook.disabled': (d) => `Webhook ${str(d, 'webhookId')} to ${str(d, 'url')} was disabled after 24 hours of failed deliveries`,
};

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderNotification(event: Pick<ProductEvent, 'type' | 'subject' | 'data'>, consoleBaseUrl: string): RenderedNotification {
  const summary = SUMMARIES[event.type](event.data);
  const link = consoleLink(consoleBaseUrl, event.subject);
  const text = `${summary}.\n\nOpen it in the console: ${link}\n\nYou receive this because you are a member of an organisation this concerns.\n`;
  const html =
    `<!doctype html><html><body><p>${escapeHtml(summary)}.</p>` +
    `<p><a href="${escapeHtml(link)}">Open it in the console</a></p>` +
    `<p style="color:#666">You receive this because you are a member of an organisation this concerns.</p></body></html>`;
  return { summary, subject: summary.length > 150 ? `${summary.slice(0, 147)}...` : summary, text, html, link };
}
