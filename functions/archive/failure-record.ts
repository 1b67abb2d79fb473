/**
 * The record Lambda writes to an S3 on-failure destination when a DynamoDB stream batch
 * exhausts its retries: the batch's metadata and the whole invocation payload, so the batch
 * can be replayed after the stream itself dropped the records (24 h). The local stream
 * poller writes the same record, under the same kind of key.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import * as z from 'zod/mini';

export const StreamFailureRecord = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number(),
  }),
  responseContext: z.optional(z.object({ statusCode: z.optional(z.number()), executedVersion: z.optional(z.string()), functionError: z.optional(z.string()) })),
  version: z.string(),
  timestamp: z.string(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string(),
    startSequenceNumber: z.string(),
    endSequenceNumber: z.string(),
    approximateArrivalOfFirstRecord: z.optional(z.string()),
    approximateArrivalOfLastRecord: z.optional(z.string()),
    batchSize: z.number(),
    streamArn: z.string(),
  }),
  /** The invocation event `{ Records: [...] }`, as a JSON string (Lambda) or an object. */
  payload: z.union([z.string(), z.object({ Records: z.array(z.unknown()) })]),
});
export type StreamFailureRecord = z.infer<typeof StreamFailureRecord>;

/** Where a failure record is kept: `aws/lambda/<mapping>/<shard>/YYYY/MM/DD/<time>-<uuid>`, as Lambda names them. */
export function failureRecordKey(mappingId: string, shardId: string, at: Date): string {
  const iso = at.toISOString();
  const day = iso.slice(0, 10).replace(/-/g, '/');
  return `aws/lambda/${mappingId}/${shardId}/${day}/${iso.slice(0, 19).replace(/:/g, '.')}-${randomUUID()}`;
}

export function buildFailureRecord(fields: {
  functionArn: string;
  shardId: string;
  streamArn: string;
  event: DynamoDBStreamEvent;
  invokeCount: number;
  condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
  at: Date;
}): StreamFailureRecord {
  const records = fields.event.Records;
  const arrival = (i: number) => {
    const seconds = records[i]?.dynamodb?.ApproximateCreationDateTime;
    return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
  };
  return {
    requestContext: { requestId: randomUUID(), functionArn: fields.functionArn, condition: fields.condition, approximateInvokeCount: fields.invokeCount },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: fields.at.toISOString(),
    DDBStreamBatchInfo: {
      shardId: fields.shardId,
      startSequenceNumber: records[0]?.dynamodb?.SequenceNumber ?? '',
      endSequenceNumber: records.at(-1)?.dynamodb?.SequenceNumber ?? '',
      ...(arrival(0) && { approximateArrivalOfFirstRecord: arrival(0) }),
      ...(arrival(records.length - 1) && { approximateArrivalOfLastRecord: arrival(records.length - 1) }),
      batchSize: records.length,
      streamArn: fields.streamArn,
    },
    payload: JSON.stringify(fields.event),
  };
}

export class FailureRecordError extends Error {
  readonly code = 'failure-record-invalid';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FailureRecordError';
  }
}

/** The invocation event inside a failure record. */
export function parseFailureRecord(body: Uint8Array | string): { record: StreamFailureRecord; event: DynamoDBStreamEvent } {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    throw new FailureRecordError('The failure record is not JSON', { cause: error });
  }
  const parsed = StreamFailureRecord.safeParse(json);
  if (!parsed.success) throw new FailureRecordError(`Not a stream failure record: ${parsed.error.message}`, { cause: parsed.error });
  const payload = typeof parsed.data.payload === 'string' ? (JSON.parse(parsed.data.payload) as unknown) : parsed.data.payload;
  const records = (payload as { Records?: unknown }).Records;
  if (!Array.isArray(records) || records.length === 0) {
    throw new FailureRecordError('The failure record holds no payload records: only an S3 destination keeps the batch (an SQS or SNS one keeps only its range)');
  }
  return { record: parsed.data, event: payload as DynamoDBStreamEvent };
}
