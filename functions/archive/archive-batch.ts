/** The archiver's use case: one stream batch in, write-once objects out. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ArchiveWriter } from './ports.js';
import { ArchiveRecordError, encodeLines, planObjects, shapeRecord, type PlannedObject, type ShapedRecord, type StreamChange } from './records.js';

export interface ArchiveBatchResult {
  /** The sequence number Lambda must redeliver from, or undefined when all is archived. */
  readonly failedSequenceNumber?: string;
  readonly objects: ReadonlyArray<{ key: string; records: number; bytes: number; outcome: 'created' | 'exists' }>;
}

export interface Logger {
  info(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
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

/**
 * 1. Shape the changes in stream order; stop at the first one that cannot be shaped (it and
 *    everything after it is redelivered, so nothing is skipped silently).
 * 2. Group the shaped prefix into one object per kind and day, keyed by sequence numbers.
 * 3. Write all objects; if any write fails, report the batch's first record so the whole
 *    batch comes again with the same keys (write-once makes the rewrite a no-op).
 */
export async function archiveBatch(
  streamLabel: string,
  changes: readonly StreamChange[],
  writer: ArchiveWriter,
  log: Logger,
): Promise<ArchiveBatchResult> {
  const shaped: ShapedRecord[] = [];
  let poison: ArchiveRecordError | undefined;
  for (const change of changes) {
    try {
      const record = shapeRecord(change);
      if (record) shaped.push(record);
    } catch (error) {
      if (!(error instanceof ArchiveRecordError)) throw error;
      poison = error;
      break;
    }
  }
  const planned = planObjects(streamLabel, shaped);
  const settled = await Promise.allSettled(
    planned.map(async (object) => {
      const encoded = encodeObject(object);
      const outcome = await writer.putObject(encoded);
      return { key: object.key, records: object.records.length, bytes: encoded.body.length, outcome };
    }),
  );
  const objects = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (failures.length > 0) {
    log.error('archive write failed; the batch will be redelivered', {
      errors: failures.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))),
      firstSequenceNumber: changes[0]?.sequenceNumber,
    });
    return { failedSequenceNumber: changes[0]?.sequenceNumber, objects };
  }
  if (poison) {
    log.error('archive record invalid; it stays in the stream until it goes to the failure destination', {
      sequenceNumber: poison.sequenceNumber,
      error: poison.message,
    });
    return { failedSequenceNumber: poison.sequenceNumber, objects };
  }
  return { objects };
}
