/**
 * The daily reminder sweep (EventBridge Scheduler in AWS, a timer in `npm start`):
 * `request.due-soon` from 3 days before a due date, `request.overdue` once it has passed,
 * `evidence.expiring` 30 and 7 days before a version expires. It reads the date index
 * (byDate), never the table, and sends nothing itself: each reminder is one marker item
 * written once (a conditional put keyed by the reminder), whose INSERT the notifier turns
 * into notifications. A second run, a retry, or two sweeps at once send nothing twice.
 */
import type { EvidenceRequest } from '../../schemas/requests.js';
import { eventIdOf, type ProductEvent } from '../notification-events.js';
import type { EventMarkers } from '../notification-ports.js';
import type { EvidenceRepository } from '../ports.js';
import { utcDate } from './requests.js';

/** A version's expiry as the date index holds it. */
export interface ExpiringVersion {
  readonly evidenceId: string;
  readonly version: number;
  readonly expiresAt: string;
}

/** The date index: requests by due date and versions by expiry, across tenants. */
export interface DateIndex {
  /** Requests due on a day from `from` to `to` (inclusive, YYYY-MM-DD), neither COMPLETED nor CANCELLED. */
  openRequestsDue(from: string, to: string): AsyncIterable<EvidenceRequest>;
  /** Versions expiring from `from` to `to` (inclusive instants). */
  versionsExpiring(from: string, to: string): AsyncIterable<ExpiringVersion>;
}

export interface ReminderDeps {
  readonly dates: DateIndex;
  readonly evidence: Pick<EvidenceRepository, 'get'>;
  readonly markers: EventMarkers;
  readonly now: () => Date;
}

const DAY_MS = 86_400_000;
export const DUE_SOON_DAYS = 3;
/** An overdue reminder is still sent this many days late (a sweep that did not run). */
export const OVERDUE_CATCH_UP_DAYS = 7;
export const EXPIRY_REMINDER_DAYS = [30, 7] as const;

const dayOffset = (day: string, days: number) => utcDate(new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS));

export interface SweepResult {
  readonly dueSoon: number;
  readonly overdue: number;
  readonly expiring: number;
}

export async function sweepReminders(deps: ReminderDeps): Promise<SweepResult> {
  const now = deps.now();
  const at = now.toISOString();
  const today = utcDate(now);
  const result = { dueSoon: 0, overdue: 0, expiring: 0 };
  const remind = async (key: string, event: Omit<ProductEvent, 'eventId' | 'occurredAt'>) => deps.markers.put(key, { ...event, eventId: eventIdOf(key, at), occurredAt: at });

  for await (const request of deps.dates.openRequestsDue(today, dayOffset(today, DUE_SOON_DAYS))) {
    const key = `request.due-soon/${request.requestId}/${request.dueDate}`;
    if (await remind(key, requestReminder('request.due-soon', request))) result.dueSoon++;
  }
  for await (const request of deps.dates.openRequestsDue(dayOffset(today, -OVERDUE_CATCH_UP_DAYS), dayOffset(today, -1))) {
    const key = `request.overdue/${request.requestId}/${request.dueDate}`;
    if (await remind(key, requestReminder('request.overdue', request))) result.overdue++;
  }
  const horizon = new Date(now.getTime() + Math.max(...EXPIRY_REMINDER_DAYS) * DAY_MS).toISOString();
  for await (const version of deps.dates.versionsExpiring(at, horizon)) {
    const daysLeft = Math.ceil((Date.parse(version.expiresAt) - now.getTime()) / DAY_MS);
    // The nearest threshold reached: a version first seen 5 days ahead gets the 7-day reminder only.
    const threshold = [...EXPIRY_REMINDER_DAYS].sort((a, b) => a - b).find((days) => daysLeft <= days);
    if (threshold === undefined) continue;
    const stored = await deps.evidence.get(version.evidenceId);
    if (!stored) continue;
    const buyers = [...new Set(stored.shares.filter((s) => s.version === version.version && s.acceptedAt !== undefined).map((s) => s.buyerOrgId))].sort();
    const key = `evidence.expiring/${version.evidenceId}/${version.version}/${version.expiresAt}/${threshold}`;
    const sent = await remind(key, {
      type: 'evidence.expiring',
      subject: { type: 'evidence', id: version.evidenceId },
      audience: { orgIds: [stored.evidence.factoryId, ...buyers] },
      data: {
        evidenceId: version.evidenceId,
        name: stored.evidence.name,
        docType: stored.evidence.docType,
        version: version.version,
        expiresAt: version.expiresAt,
        daysLeft,
        threshold,
        factoryId: stored.evidence.factoryId,
      },
    });
    if (sent) result.expiring++;
  }
  return result;
}

function requestReminder(type: 'request.due-soon' | 'request.overdue', request: EvidenceRequest): Omit<ProductEvent, 'eventId' | 'occurredAt'> {
  return {
    type,
    subject: { type: 'request', id: request.requestId },
    audience: { orgIds: [request.buyerOrgId, request.factoryId] },
    data: { requestId: request.requestId, title: request.title, dueDate: request.dueDate ?? '', buyerOrgId: request.buyerOrgId, factoryId: request.factoryId, status: request.status },
  };
}
