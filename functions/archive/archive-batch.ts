/** The archiver's use case: one stream batch in, write-once objects out. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ArchiveBatchLedger, ArchiveBatchRange, ArchiveWriter } from './ports.js';
import {
  ArchiveRecordError,
  encodeLines,
  padSequence,
  planObjects,
  shapeRecord,
  type PlannedObject,
  type ShapedRecord,
  type StreamChange,
} from './records.js';

export interface ArchiveBatchResult {
  /** The sequence number Lambda must redeliver from, or undefined when all is archived. */
  readonly failedSequenceNumber?: string;
  readonly objects: ReadonlyArray<{ key: string; records: number; bytes: number; outcome: 'created' | 'exists' }>;
  /** The range the batch was archived under (recorded now, or by its first attempt), when a ledger is used. */
  readonly range?: ArchiveBatchRange;
}

export interface Logger {
  info(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

export function encodeObject(planned: PlannedObject) {
  const body = gzipSync(Buffer.from(encodeLines(planned.records), 'utf8'), { level: 9 });
  return {
    key: planned.key,
    body,
    sha256: createHash('sha256').update(body).digest('hex'),
    md5: createHash('md5').update(body).digest('base64'),
    contentType: 'application/gzip',
    metadata: {
      records: String(planned.records.length),
      'first-sequence': planned.firstSequenceNumber,
      'last-sequence': planned.lastSequenceNumber,
    },
  };
}

export interface ArchiveBatchOptions {
  /**
   * Where batch ranges are recorded. With it, a retried batch rebuilds exactly the objects of
   * its first attempt; without it, a retry that brings more records plans other keys and may
   * archive the first attempt's records a second time.
   */
  readonly ledger?: ArchiveBatchLedger;
  /** The stream's ARN, recorded with the range. @default the stream label */
  readonly streamArn?: string;
  readonly now?: () => Date;
}

interface Plan {
  readonly planned: PlannedObject[];
  readonly poison?: ArchiveRecordError;
}

/** Shapes the changes in stream order up to the first one that cannot be shaped, and groups them into objects. */
function plan(streamLabel: string, changes: readonly StreamChange[]): Plan {
  const shaped: ShapedRecord[] = [];
  for (const change of changes) {
    try {
      const record = shapeRecord(change);
      if (record) shaped.push(record);
    } catch (error) {
      if (!(error instanceof ArchiveRecordError)) throw error;
      return { planned: planObjects(streamLabel, shaped), poison: error };
    }
  }
  return { planned: planObjects(streamLabel, shaped) };
}

/** Sequence numbers are decimal strings: padded, they compare as strings. */
const after = (a: string, b: string) => padSequence(a) > padSequence(b);

/**
 * The changes of a batch that belong to its recorded range, and those after it. A batch that
 * ends before its range (Lambda bisects a batch after a function error) cannot rebuild the
 * first attempt's objects: it is archived as it comes, and that is logged.
 */
function cut(changes: readonly StreamChange[], range: ArchiveBatchRange | undefined, log: Logger) {
  if (!range) return { taken: changes, rest: [] as StreamChange[] };
  const last = changes[changes.length - 1]!;
  if (after(range.lastSequenceNumber, last.sequenceNumber)) {
    log.error('retried batch ends before the range its first attempt recorded; its objects may repeat records', {
      firstSequenceNumber: range.firstSequenceNumber,
      recordedLastSequenceNumber: range.lastSequenceNumber,
      batchLastSequenceNumber: last.sequenceNumber,
    });
    return { taken: changes, rest: [] as StreamChange[] };
  }
  const end = changes.findIndex((change) => after(change.sequenceNumber, range.lastSequenceNumber));
  return end < 0 ? { taken: changes, rest: [] as StreamChange[] } : { taken: changes.slice(0, end), rest: changes.slice(end) };
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * 1. Look up the range recorded for a batch starting at this first record: a retry is cut
 *    back to it, and the first record after it is reported, so the event source redelivers
 *    the rest as a batch of its own.
 * 2. Shape the changes in stream order; stop at the first one that cannot be shaped (it and
 *    everything after it is redelivered, so nothing is skipped silently).
 * 3. Group the shaped prefix into one object per kind and day, keyed by sequence numbers.
 * 4. Before the first PUT of a batch with no recorded range, record its range (the first
 *    recording wins).
 * 5. Write all objects; if any write fails, report the batch's first record so the batch comes
 *    again: cut to the same range, it plans the same keys (write-once makes rewrites no-ops).
 */
export async function archiveBatch(
  streamLabel: string,
  changes: readonly StreamChange[],
  writer: ArchiveWriter,
  log: Logger,
  options: ArchiveBatchOptions = {},
): Promise<ArchiveBatchResult> {
  const first = changes[0];
  if (!first) return { objects: [] };
  const { ledger } = options;
  let range: ArchiveBatchRange | undefined;
  if (ledger) {
    try {
      range = await ledger.find(streamLabel, first.sequenceNumber);
    } catch (error) {
      log.error('archive batch range unreadable; the batch will be redelivered', { error: describeError(error), firstSequenceNumber: first.sequenceNumber });
      return { failedSequenceNumber: first.sequenceNumber, objects: [] };
    }
  }
  let { taken, rest } = cut(changes, range, log);
  let { planned, poison } = plan(streamLabel, taken);
  if (ledger && !range && planned.length > 0) {
    // Only batches that write objects are recorded: a batch of SYSTEM# records (such as this
    // item's own stream record) records nothing, so recording does not feed itself.
    const mine: ArchiveBatchRange = {
      streamArn: options.streamArn ?? streamLabel,
      streamLabel,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: changes[changes.length - 1]!.sequenceNumber,
    };
    try {
      range = await ledger.record(mine, options.now?.() ?? new Date());
    } catch (error) {
      log.error('archive batch range not recorded; the batch will be redelivered', { error: describeError(error), firstSequenceNumber: first.sequenceNumber });
      return { failedSequenceNumber: first.sequenceNumber, objects: [] };
    }
    if (range.lastSequenceNumber !== mine.lastSequenceNumber) {
      // Another attempt recorded a range between our read and our write: archive that one.
      ({ taken, rest } = cut(changes, range, log));
      ({ planned, poison } = plan(streamLabel, taken));
    }
  }
  const settled = await Promise.allSettled(
    planned.map(async (object) => {
      const encoded = encodeObject(object);
      const outcome = await writer.putObject(encoded);
      return { key: object.key, records: object.records.length, bytes: encoded.body.length, outcome };
    }),
  );
  const objects = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  const cutResult = range ? { range } : {};
  if (failures.length > 0) {
    log.error('archive write failed; the batch will be redelivered', {
      errors: failures.map(describeError),
      firstSequenceNumber: first.sequenceNumber,
    });
    return { failedSequenceNumber: first.sequenceNumber, objects, ...cutResult };
  }
  if (poison) {
    log.error('archive record invalid; it stays in the stream until it goes to the failure destination', {
      sequenceNumber: poison.sequenceNumber,
      error: poison.message,
    });
    return { failedSequenceNumber: poison.sequenceNumber, objects, ...cutResult };
  }
  const next = rest[0];
  if (next) {
    log.info('retried batch cut back to its first attempt\'s range; the records after it are redelivered', {
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: range?.lastSequenceNumber,
      redeliveredFrom: next.sequenceNumber,
      redeliveredRecords: rest.length,
    });
    return { failedSequenceNumber: next.sequenceNumber, objects, ...cutResult };
  }
  return { objects, ...cutResult };
}
