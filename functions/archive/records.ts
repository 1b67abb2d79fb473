/**
 * Turns stream changes into archive records and groups them into objects. Pure: the
 * handler converts the Lambda event (or the local poller's records) into `StreamChange`.
 */
import { INDEXES, PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../config/table.js';
import { IntegrityError } from '../core/errors.js';
import { AuditArchiveRecord, ARCHIVE_PREFIXES, EntityChange, type EntityType } from '../schemas/archive.js';

export interface StreamChange {
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly sequenceNumber: string;
  /** Identifies the stream (the label of its ARN); with the sequence number, a change's identity. */
  readonly streamLabel: string;
  /** ISO timestamp of the change (ApproximateCreationDateTime). */
  readonly changedAt: string;
  readonly keys: { readonly pk: string; readonly sk: string };
  readonly oldImage?: Record<string, unknown> | undefined;
  readonly newImage?: Record<string, unknown> | undefined;
  readonly userIdentity?: { readonly type?: string | undefined; readonly principalId?: string | undefined } | undefined;
}

export type ArchiveKind = 'audit' | 'changes';

export type ShapedRecord =
  | { readonly kind: 'audit'; readonly dt: string; readonly sequenceNumber: string; readonly record: AuditArchiveRecord }
  | { readonly kind: 'changes'; readonly dt: string; readonly sequenceNumber: string; readonly record: EntityChange };

/** A stream record that has no valid archive shape (a poison record). */
export class ArchiveRecordError extends IntegrityError {
  constructor(
    message: string,
    readonly sequenceNumber: string,
    options?: { cause?: unknown },
  ) {
    super('archive-record-invalid', message, options);
  }
}

/** Item attributes that are storage keys, not data. */
const KEY_ATTRIBUTES = new Set<string>([PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE, ...Object.values(INDEXES).flatMap((i) => [i.partitionKey, i.sortKey])]);
/**
 * Not archived: bookkeeping (SYSTEM#, IDEMPOTENCY#); the notification side (inboxes,
 * webhooks with their signing secrets and delivery logs, job markers): none is a business
 * record, and a secret must never reach write-once storage; username reservations (the key
 * is the name) and personal-data keys (archiving a key would defeat its destruction at erasure).
 */
const SKIPPED_PREFIXES = ['SYSTEM#', 'IDEMPOTENCY#', 'INBOX#', 'WEBHOOK#', 'EVENT#', 'USERNAME#', 'USERKEY#'];
/**
 * Personal attributes, removed at any depth from archived entity images: the Object-Lock
 * archive cannot forget, so it never learns a name or an address (a user's or a comment
 * author's). Audit records carry them sealed instead (the personal-data vault).
 */
const PERSONAL_ATTRIBUTES = new Set(['username', 'email']);

function withoutPersonal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPersonal);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([name]) => !PERSONAL_ATTRIBUTES.has(name)).map(([name, v]) => [name, withoutPersonal(v)]));
}

export function stripKeys(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!image) return undefined;
  return Object.fromEntries(Object.entries(image).filter(([name]) => !KEY_ATTRIBUTES.has(name)));
}

/** TTL deletions come from the DynamoDB service principal. */
export function isSystemExpiry(change: StreamChange): boolean {
  return (
    change.eventName === 'REMOVE' &&
    change.userIdentity?.type === 'Service' &&
    change.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}

function entityOf(pk: string, sk: string): { entityType: EntityType; entityId: string } {
  const hash = pk.indexOf('#');
  const prefix = hash < 0 ? pk : pk.slice(0, hash);
  const id = hash < 0 ? '' : pk.slice(hash + 1);
  switch (prefix) {
    case 'REQUEST':
      return { entityType: 'request', entityId: id };
    case 'EVIDENCE':
      if (sk.startsWith('VERSION#')) return { entityType: 'evidence-version', entityId: id };
      if (sk.startsWith('SHARE#')) return { entityType: 'evidence-share', entityId: id };
      return { entityType: 'evidence', entityId: id };
    case 'ORG':
      return { entityType: 'organisation', entityId: id };
    case 'USER':
      return { entityType: 'user', entityId: id };
    case 'AUDIT':
      return { entityType: 'audit', entityId: id };
    default:
      return { entityType: 'other', entityId: id || pk };
  }
}

/**
 * The archive record of one change, or `undefined` for items that are not archived
 * (SYSTEM#, IDEMPOTENCY#). An audit INSERT becomes an `audit/` record; anything else that
 * touches an audit item (its TTL expiry, or a modification that should never happen) is
 * kept as an entity change so it stays visible.
 * @throws ArchiveRecordError when an audit item does not match the AuditEvent schema.
 */
export function shapeRecord(change: StreamChange): ShapedRecord | undefined {
  const { pk, sk } = change.keys;
  if (SKIPPED_PREFIXES.some((prefix) => pk.startsWith(prefix))) return undefined;
  if (pk.startsWith('AUDIT#') && change.eventName === 'INSERT') {
    const parsed = AuditArchiveRecord.safeParse(stripKeys(change.newImage));
    if (!parsed.success) {
      throw new ArchiveRecordError(`Audit item ${pk} does not match AuditEvent: ${parsed.error.message}`, change.sequenceNumber, {
        cause: parsed.error,
      });
    }
    return { kind: 'audit', dt: parsed.data.occurredAt.slice(0, 10), sequenceNumber: change.sequenceNumber, record: parsed.data };
  }
  const oldImage = withoutPersonal(stripKeys(change.oldImage)) as Record<string, unknown> | undefined;
  const newImage = withoutPersonal(stripKeys(change.newImage)) as Record<string, unknown> | undefined;
  const candidate = {
    changeId: `${change.streamLabel}/${change.sequenceNumber}`,
    eventName: change.eventName,
    ...entityOf(pk, sk),
    pk,
    sk,
    changedAt: change.changedAt,
    sequenceNumber: change.sequenceNumber,
    ...(change.eventName === 'REMOVE' ? { removalCause: isSystemExpiry(change) ? 'SYSTEM_EXPIRY' : 'USER' } : {}),
    ...(oldImage ? { oldImage } : {}),
    ...(newImage ? { newImage } : {}),
  };
  const parsed = EntityChange.safeParse(candidate);
  if (!parsed.success) {
    throw new ArchiveRecordError(`Change of ${pk}/${sk} is not a valid EntityChange: ${parsed.error.message}`, change.sequenceNumber, {
      cause: parsed.error,
    });
  }
  return { kind: 'changes', dt: parsed.data.changedAt.slice(0, 10), sequenceNumber: change.sequenceNumber, record: parsed.data };
}

export interface PlannedObject {
  readonly key: string;
  readonly kind: ArchiveKind;
  readonly dt: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  readonly records: ReadonlyArray<AuditArchiveRecord | EntityChange>;
}

/** Sequence numbers are decimal strings of up to 40 digits; padding keeps keys in stream order. */
export const padSequence = (sequenceNumber: string): string => sequenceNumber.padStart(40, '0');

/** Object key characters are kept to [A-Za-z0-9._-]. */
export const safeLabel = (label: string): string => label.replace(/[^A-Za-z0-9._-]/g, '');

/**
 * The key of an archive object: derived only from the stream and the sequence numbers of
 * its records, so a redelivered batch rewrites the same keys instead of adding copies.
 */
export function objectKey(kind: ArchiveKind, dt: string, streamLabel: string, first: string, last: string): string {
  return `${ARCHIVE_PREFIXES[kind]}dt=${dt}/${safeLabel(streamLabel)}_${padSequence(first)}_${padSequence(last)}.json.gz`;
}

const OBJECT_KEY = /^(audit|changes)\/dt=(\d{4}-\d{2}-\d{2})\/([A-Za-z0-9._-]+)_(\d{40})_(\d{40})\.json\.gz$/;

export interface ParsedObjectKey {
  readonly kind: ArchiveKind;
  readonly dt: string;
  readonly streamLabel: string;
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
}

export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const match = OBJECT_KEY.exec(key);
  if (!match) return undefined;
  const [, kind, dt, streamLabel, first, last] = match as unknown as [string, ArchiveKind, string, string, string, string];
  const unpad = (s: string) => s.replace(/^0+(?=\d)/, '');
  return { kind, dt, streamLabel, firstSequenceNumber: unpad(first), lastSequenceNumber: unpad(last) };
}

/** Groups shaped records by kind and day, keeping stream order inside each object. */
export function planObjects(streamLabel: string, shaped: readonly ShapedRecord[]): PlannedObject[] {
  const groups = new Map<string, ShapedRecord[]>();
  for (const record of shaped) {
    const groupKey = `${record.kind}|${record.dt}`;
    const group = groups.get(groupKey) ?? [];
    group.push(record);
    groups.set(groupKey, group);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    const last = group[group.length - 1]!;
    return {
      key: objectKey(first.kind, first.dt, streamLabel, first.sequenceNumber, last.sequenceNumber),
      kind: first.kind,
      dt: first.dt,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      records: group.map((r) => r.record),
    };
  });
}

/** JSON lines, one record a line. */
export function encodeLines(records: ReadonlyArray<unknown>): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

/** The label of a stream ARN (`.../stream/<label>`), or the whole string when it has none. */
export function streamLabelOf(streamArn: string): string {
  const index = streamArn.lastIndexOf('/stream/');
  return index < 0 ? streamArn : streamArn.slice(index + '/stream/'.length);
}
