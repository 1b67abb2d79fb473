/**
 * The audit heartbeat: the hourly export writes one system audit event per hour through the
 * normal audit path (table, stream, archiver), and the archiver counts each one it archives.
 * The "no audit events" alarm watches that count, so silence means a broken pipeline rather
 * than a quiet hour.
 */
import { ConcurrentUpdateError } from '../core/errors.js';
import type { AuditLog } from '../core/ports.js';
import type { AuditEvent } from '../schemas/audit.js';
import { padSequence, type StreamChange } from './records.js';

export const HEARTBEAT_ACTION = 'system.heartbeat' satisfies AuditEvent['action'];

/** The metric the archiver emits (EMF) and the alarm reads: one source for both. */
export const AUDIT_HEARTBEAT_METRIC = {
  namespace: 'EvidenceRequests',
  name: 'AuditHeartbeatsArchived',
  /** Powertools Metrics adds `service` from its serviceName. */
  dimensions: { service: 'archiver' },
} as const;

/** Counts archived heartbeats (Powertools Metrics in AWS and in `npm start`; a fake in tests). */
export interface ArchiveMetrics {
  heartbeatsArchived(count: number): void;
}

/** The hour's heartbeat: its id names the hour, so a retried or repeated export writes it once. */
export function heartbeatEvent(now: Date): AuditEvent {
  const hour = now.toISOString().slice(0, 13);
  return {
    eventId: `heartbeat-${hour.replace(/[-:T]/g, '')}`,
    // The write's own time, so the export's reconciliation window covers it like any event.
    occurredAt: now.toISOString(),
    action: HEARTBEAT_ACTION,
    outcome: 'SUCCESS',
    actor: { userId: 'system-export', role: 'system' },
    resource: { type: 'system', id: 'audit-pipeline' },
    statusCode: 200,
    correlationId: `heartbeat-${hour}`,
  };
}

/**
 * Writes this hour's heartbeat unless it is already written. Audit events are unique by
 * time and id, and each heartbeat carries its write's own time, so the hour's is looked for
 * first (the export runs one at a time; a put that still meets an existing item is `exists`).
 */
export async function writeHeartbeat(audit: Pick<AuditLog, 'record' | 'list'>, now: Date): Promise<'written' | 'exists'> {
  const event = heartbeatEvent(now);
  const hour = `${now.toISOString().slice(0, 13)}:00:00.000Z`;
  const next = new Date(Date.parse(hour) + 3_600_000).toISOString();
  const written = await audit.list({ resourceId: event.resource.id, action: HEARTBEAT_ACTION, from: hour, to: next }, { limit: 10 });
  if (written.items.some((e) => e.eventId === event.eventId)) return 'exists';
  try {
    await audit.record(event);
    return 'written';
  } catch (error) {
    if (error instanceof ConcurrentUpdateError) return 'exists';
    throw error;
  }
}

export function isHeartbeat(record: { readonly action?: unknown }): boolean {
  return record.action === HEARTBEAT_ACTION;
}

/** Heartbeats among the changes a batch archived: those before the record it asked to have redelivered. */
export function archivedHeartbeats(changes: readonly StreamChange[], failedSequenceNumber: string | undefined): number {
  const failedAt = failedSequenceNumber === undefined ? undefined : padSequence(failedSequenceNumber);
  return changes.filter(
    (change) =>
      change.eventName === 'INSERT' &&
      change.keys.pk.startsWith('AUDIT#') &&
      isHeartbeat(change.newImage ?? {}) &&
      (failedAt === undefined || padSequence(change.sequenceNumber) < failedAt),
  ).length;
}
