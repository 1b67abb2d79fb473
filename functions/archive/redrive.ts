/**
 * Re-drive: replays the batch of a stream failure record into the archiver. Idempotent: the
 * archiver's object keys derive from the records' sequence numbers, its store is write-once
 * and its batch ranges cut a replay back to what an earlier attempt planned, so a batch
 * replayed twice, or partly archived before it failed, adds nothing twice.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

export type ArchiverInvoke = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export interface RedriveResult {
  readonly records: number;
  readonly invocations: number;
}

export class RedriveError extends Error {
  readonly code = 'redrive-failed';
  constructor(
    message: string,
    readonly failedSequenceNumber: string,
  ) {
    super(message);
    this.name = 'RedriveError';
  }
}

/**
 * 1. Hand the batch to the archiver, as the event source would.
 * 2. When it reports a record to redeliver (a cut-back retry, a later poison record), hand
 *    over the records from there on, until nothing is reported.
 * 3. A report at the first record is a real failure: stop, keep the failure record.
 */
export async function redriveBatch(event: DynamoDBStreamEvent, invoke: ArchiverInvoke, maxInvocations = 100): Promise<RedriveResult> {
  let records = event.Records;
  let invocations = 0;
  while (records.length > 0) {
    if (invocations >= maxInvocations) throw new RedriveError(`gave up after ${invocations} invocations`, records[0]?.dynamodb?.SequenceNumber ?? '');
    invocations++;
    const answer = await invoke({ Records: records });
    const failed = answer.batchItemFailures[0]?.itemIdentifier;
    if (!failed) return { records: event.Records.length, invocations };
    const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
    if (index <= 0) throw new RedriveError(`the archiver refused the batch at sequence number ${failed}`, failed);
    records = records.slice(index);
  }
  return { records: event.Records.length, invocations };
}
