/**
 * Reads DynamoDB Local's stream and invokes the archiver the way Lambda's event source
 * mapping does (batches per shard, in order, batching window, ReportBatchItemFailures), with
 * checkpoints in a file. Records are gathered per shard until `batchSize` records, the
 * invoke payload limit, or `batchingWindowMs` since the first gathered record, whichever
 * comes first. Before a batch is handed over, its sequence range is recorded as pending;
 * after a restart the very same batch is rebuilt and redelivered, so its object keys repeat
 * and the write-once store adds nothing. Records still being gathered are not checkpointed:
 * a restart reads them again from the last acknowledged one. Killing the process at any
 * moment loses and doubles nothing. A batch that still fails after `maxRetryAttempts` retries
 * goes, whole, to `onFailure` (Lambda's S3 on-failure record), and the shard moves past it;
 * unlike Lambda it is not bisected first.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildFailureRecord, failureRecordKey, type StreamFailureRecord } from '../functions/archive/failure-record.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.js';

/** Stands in for the event source mapping's UUID in local failure record keys. */
export const LOCAL_MAPPING_ID = 'local-archiver';
const LOCAL_ARCHIVER_ARN = `arn:aws:lambda:${LOCAL_REGION}:000000000000:function:archiver`;

export interface ShardCheckpoint {
  /** Last sequence number fully handled. */
  last?: string;
  /** The batch handed to the archiver and not yet acknowledged. */
  pending?: { first: string; last: string };
  /** The shard is closed and read to its end. */
  done?: boolean;
}

type CheckpointFile = { streams: Record<string, Record<string, ShardCheckpoint>> };

export interface StreamPollerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly checkpointFile: string;
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  /** Most records per invocation. @default 1000 (Lambda allows up to 10,000 for DynamoDB streams) */
  readonly batchSize?: number;
  /**
   * Lambda's MaximumBatchingWindowInSeconds: how long records are gathered, from the first
   * one, before a batch smaller than `batchSize` is handed over. 0 hands over whatever one
   * read returns. Longer windows mean fewer, larger archive objects and more archive lag.
   * @default 1000 (at most 300,000)
   */
  readonly batchingWindowMs?: number;
  /** Pause between reads of an idle shard. @default 200 */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
  /**
   * Lambda's MaximumRetryAttempts: a batch that still fails after this many retries goes to
   * `onFailure` (the whole invocation, as Lambda's S3 on-failure destination keeps it) and the
   * shard moves past it. @default 10 (the CDK event source's)
   */
  readonly maxRetryAttempts?: number;
  /** The on-failure destination; without it a failing batch is retried for ever. */
  readonly onFailure?: (record: StreamFailureRecord, key: string) => Promise<void>;
}

export interface StreamPoller {
  /**
   * Drains, then stops: reads every shard to its current end and hands over what it read at
   * once (no batching window), until two rounds in a row read nothing, so the archive holds
   * every record written before the call. Past `drainMs` it finishes the batch in flight and
   * stops; what it had not handed over is read again on the next start.
   */
  stop(options?: { readonly drainMs?: number }): Promise<void>;
  /** Stops at once, as a killed process would: nothing more is checkpointed. */
  abort(): void;
  /** Resolves once every record currently in the stream has been acknowledged (waits out a batching window). */
  caughtUp(timeoutMs?: number): Promise<void>;
  readonly stats: { batches: number; records: number; failures: number; abandoned: number };
}

const seq = (s: string) => BigInt(s);

/** GetRecords returns at most 1,000 records per call. */
const GET_RECORDS_LIMIT = 1000;
/** Lambda's synchronous invocation payload limit: a batch is handed over before it would exceed it. */
const INVOKE_PAYLOAD_LIMIT = 6 * 1024 * 1024;

/** Records read from a shard and not yet handed over (nor checkpointed). */
interface Gathering {
  records: _Record[];
  /** Approximate invoke payload bytes of each record. */
  sizes: number[];
  bytes: number;
  /** When the first record arrived: the batching window runs from here. */
  since: number;
}

const payloadBytes = (record: _Record) => Buffer.byteLength(JSON.stringify(record)) + 200;

export function readCheckpoints(file: string): CheckpointFile {
  if (!existsSync(file)) return { streams: {} };
  return JSON.parse(readFileSync(file, 'utf8')) as CheckpointFile;
}

/** Write-to-temp, fsync, rename: the file is always either the old or the new checkpoint. */
function writeCheckpoints(file: string, data: CheckpointFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, JSON.stringify(data));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? LOCAL_REGION,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: created ? Math.floor(created.getTime() / 1000) : Math.floor(Date.now() / 1000),
      Keys: stream.Keys as never,
      NewImage: stream.NewImage as never,
      OldImage: stream.OldImage as never,
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    ...(record.userIdentity ? { userIdentity: { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId } } : {}),
  } as DynamoDBRecord;
}

export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
  const windowMs = Math.max(0, Math.min(options.batchingWindowMs ?? 1000, 300_000));
  const interval = options.pollIntervalMs ?? 200;
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  const stats = { batches: 0, records: 0, failures: 0, abandoned: 0 };
  const maxRetries = options.maxRetryAttempts ?? 10;
  /** Invocations so far of the batch that starts at `first`, per shard. */
  const attempts = new Map<string, { first: string; count: number }>();
  /** Counts a failed invocation of `batch`; true once its retries are exhausted (and a destination takes it). */
  const exhausted = (shardId: string, batch: _Record[]): boolean => {
    const first = batch[0]!.dynamodb!.SequenceNumber!;
    const seen = attempts.get(shardId);
    const count = seen?.first === first ? seen.count + 1 : 1;
    attempts.set(shardId, { first, count });
    return options.onFailure !== undefined && count > maxRetries;
  };
  /** Hands an abandoned batch to the on-failure destination and moves the shard past it. */
  async function abandon(streamArn: string, shardId: string, cp: ShardCheckpoint, batch: _Record[]): Promise<void> {
    const at = new Date();
    const event = { Records: batch.map((r) => toLambdaRecord(r, streamArn)) };
    const record = buildFailureRecord({
      functionArn: LOCAL_ARCHIVER_ARN,
      shardId,
      streamArn,
      event,
      invokeCount: attempts.get(shardId)?.count ?? 1,
      condition: 'RetryAttemptsExhausted',
      at,
    });
    await options.onFailure!(record, failureRecordKey(LOCAL_MAPPING_ID, shardId, at));
    attempts.delete(shardId);
    cp.last = batch[batch.length - 1]!.dynamodb!.SequenceNumber!;
    delete cp.pending;
    save();
    stats.abandoned++;
  }
  const iterators = new Map<string, string>();
  const gathering = new Map<string, Gathering>();
  let checkpoints = readCheckpoints(options.checkpointFile);
  let stopping = false;
  /** Until when stopping still drains (hands over at once, reads on until the stream is empty). */
  let drainUntil = 0;
  const draining = () => stopping && Date.now() < drainUntil;
  let aborted = false;
  let idleRound = 0;

  const checkpointOf = (streamArn: string, shardId: string): ShardCheckpoint => {
    const stream = (checkpoints.streams[streamArn] ??= {});
    return (stream[shardId] ??= {});
  };
  const save = () => {
    if (!aborted) writeCheckpoints(options.checkpointFile, checkpoints);
  };

  async function iteratorFor(streamArn: string, shardId: string, cp: ShardCheckpoint): Promise<string | undefined> {
    const cached = iterators.get(shardId);
    if (cached) return cached;
    // Resume after the records already gathered (in memory), else after the last acknowledged one.
    const gathered = gathering.get(shardId)?.records;
    const after = gathered?.length ? gathered[gathered.length - 1]!.dynamodb!.SequenceNumber! : cp.last;
    const answer = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  /** Rebuilds the pending batch exactly: the records after the last acknowledged one, up to the pending last. */
  async function rebuildPending(streamArn: string, shardId: string, cp: ShardCheckpoint): Promise<_Record[] | undefined> {
    // Whatever was gathered after the pending batch is read again once it is acknowledged.
    gathering.delete(shardId);
    iterators.delete(shardId);
    let iterator = await iteratorFor(streamArn, shardId, cp);
    const target = seq(cp.pending!.last);
    const batch: _Record[] = [];
    while (iterator) {
      let answer;
      try {
        answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_RECORDS_LIMIT }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException) return undefined;
        throw error;
      }
      iterator = answer.NextShardIterator;
      const records = answer.Records ?? [];
      for (const record of records) {
        if (seq(record.dynamodb!.SequenceNumber!) > target) break;
        batch.push(record);
      }
      const lastSeen = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
      if ((lastSeen && seq(lastSeen) >= target) || records.length === 0) break;
    }
    return batch;
  }

  /**
   * Reads once more into the shard's gathering; returns the batch to hand over when one is due
   * (batch size or payload limit reached, window elapsed, or shard closed), else what the shard is doing.
   */
  async function gather(streamArn: string, shardId: string, cp: ShardCheckpoint): Promise<_Record[] | 'idle' | 'gathering'> {
    let gathered = gathering.get(shardId);
    let closed = false;
    const room = batchSize - (gathered?.records.length ?? 0);
    if (room > 0 && (gathered?.bytes ?? 0) < INVOKE_PAYLOAD_LIMIT) {
      const iterator = await iteratorFor(streamArn, shardId, cp);
      if (iterator) {
        let answer;
        try {
          answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(room, GET_RECORDS_LIMIT) }));
        } catch (error) {
          if (!(error instanceof ExpiredIteratorException)) throw error;
          iterators.delete(shardId);
        }
        if (aborted) return 'idle';
        if (answer) {
          if (answer.NextShardIterator) iterators.set(shardId, answer.NextShardIterator);
          else {
            iterators.delete(shardId);
            closed = true;
          }
          const records = answer.Records ?? [];
          if (records.length > 0 && !gathered) gathering.set(shardId, (gathered = { records: [], sizes: [], bytes: 0, since: Date.now() }));
          for (const record of records) {
            const size = payloadBytes(record);
            gathered!.records.push(record);
            gathered!.sizes.push(size);
            gathered!.bytes += size;
          }
        }
      }
    }
    if (!gathered) {
      if (closed && !cp.pending) {
        cp.done = true;
        save();
      }
      return 'idle';
    }
    const due = closed || gathered.records.length >= batchSize || gathered.bytes >= INVOKE_PAYLOAD_LIMIT || Date.now() - gathered.since >= windowMs || draining();
    if (!due) return 'gathering';
    // The longest prefix within the batch size and the payload limit (at least one record).
    let count = 0;
    let bytes = 0;
    while (count < gathered.records.length && count < batchSize && (count === 0 || bytes + gathered.sizes[count]! <= INVOKE_PAYLOAD_LIMIT)) {
      bytes += gathered.sizes[count]!;
      count++;
    }
    const batch = gathered.records.splice(0, count);
    gathered.sizes.splice(0, count);
    gathered.bytes -= bytes;
    if (gathered.records.length === 0) gathering.delete(shardId);
    else gathered.since = Date.now();
    return batch;
  }

  /** Serves one shard: redelivers its pending batch, or gathers and hands over a batch once one is due. */
  async function pollShard(streamArn: string, shard: Shard): Promise<'idle' | 'gathering' | 'delivered'> {
    const shardId = shard.ShardId!;
    const cp = checkpointOf(streamArn, shardId);
    if (cp.done) return 'idle';
    let batch: _Record[];
    if (cp.pending) {
      // A pending batch is rebuilt exactly (same first and last record) before anything new.
      const rebuilt = await rebuildPending(streamArn, shardId, cp);
      iterators.delete(shardId);
      if (aborted || !rebuilt || rebuilt.length === 0) return 'idle';
      batch = rebuilt;
    } else {
      const outcome = await gather(streamArn, shardId, cp);
      if (aborted) return 'idle';
      if (typeof outcome === 'string') return outcome;
      batch = outcome;
    }

    const first = batch[0]!.dynamodb!.SequenceNumber!;
    const last = batch[batch.length - 1]!.dynamodb!.SequenceNumber!;
    cp.pending = { first, last };
    save();
    let response: DynamoDBBatchResponse;
    try {
      response = await options.invoke({ Records: batch.map((r) => toLambdaRecord(r, streamArn)) });
    } catch (error) {
      // A function error: Lambda retries the same batch; the pending range makes it identical.
      iterators.delete(shardId);
      gathering.delete(shardId);
      stats.failures++;
      if (!aborted && exhausted(shardId, batch)) await abandon(streamArn, shardId, cp, batch);
      throw error;
    }
    if (aborted) return 'idle';
    const failed = response.batchItemFailures[0]?.itemIdentifier;
    stats.batches++;
    if (failed) {
      const index = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failed);
      const acknowledged = index > 0 ? batch.slice(0, index) : [];
      stats.records += acknowledged.length;
      stats.failures++;
      if (acknowledged.length) cp.last = acknowledged[acknowledged.length - 1]!.dynamodb!.SequenceNumber!;
      delete cp.pending;
      save();
      iterators.delete(shardId);
      gathering.delete(shardId);
      const rest = batch.slice(Math.max(index, 0));
      if (exhausted(shardId, rest)) await abandon(streamArn, shardId, cp, rest);
      throw new Error(`archiver reported a failure at sequence number ${failed}`);
    }
    stats.records += batch.length;
    attempts.delete(shardId);
    cp.last = last;
    delete cp.pending;
    save();
    return 'delivered';
  }

  let shards: Shard[] = [];
  let streamArn: string | undefined;
  let shardsFetchedAt = 0;

  async function refreshShards(): Promise<void> {
    if (Date.now() - shardsFetchedAt < 1_000 && streamArn) return;
    const table = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
    streamArn = table.Table?.LatestStreamArn;
    if (!streamArn) throw new Error(`Table ${options.tableName} has no stream`);
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const page = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      all.push(...(page.StreamDescription?.Shards ?? []));
      start = page.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    // Parents before children, as Lambda does.
    shards = all.sort((a, b) =>
      seq(a.SequenceNumberRange?.StartingSequenceNumber ?? '0') < seq(b.SequenceNumberRange?.StartingSequenceNumber ?? '0') ? -1 : 1,
    );
    shardsFetchedAt = Date.now();
    // A shard gone from the stream (trimmed) has nothing left to hand over.
    for (const shardId of gathering.keys()) if (!shards.some((s) => s.ShardId === shardId)) gathering.delete(shardId);
  }

  const idleWaiters: Array<() => void> = [];
  const loop = (async () => {
    let backoff = interval;
    /** Rounds in a row, since the stop began, that read nothing and held nothing. */
    let drainedRounds = 0;
    while (!aborted && (!stopping || draining())) {
      let busy = false;
      let readNothing = true;
      try {
        await refreshShards();
        for (const shard of shards) {
          if (aborted || (stopping && !draining())) break;
          const outcome = await pollShard(streamArn!, shard);
          if (outcome === 'delivered') busy = true;
          if (outcome !== 'idle') readNothing = false;
        }
        backoff = interval;
      } catch (error) {
        if (!aborted) options.onError?.(error);
        // A failed drain stops here: the records left are read again on the next start.
        if (stopping) break;
        busy = false;
        backoff = Math.min(backoff * 2, 5_000);
        await sleep(backoff);
        continue;
      }
      if (stopping) {
        drainedRounds = readNothing && gathering.size === 0 ? drainedRounds + 1 : 0;
        if (drainedRounds >= 2) break;
        continue;
      }
      if (busy) continue;
      if (gathering.size === 0) {
        // Idle: nothing read, nothing gathered, nothing handed over.
        idleRound++;
        for (const resolve of idleWaiters.splice(0)) resolve();
        await sleep(interval);
      } else {
        // Gathering: read again after the poll interval, or when the first window closes if sooner.
        const due = Math.min(...[...gathering.values()].map((g) => g.since + windowMs));
        await sleep(Math.max(0, Math.min(interval, due - Date.now())));
      }
    }
  })();

  return {
    stats,
    async stop({ drainMs = 30_000 } = {}) {
      if (!stopping) drainUntil = Date.now() + drainMs;
      stopping = true;
      await loop;
      streams.destroy();
    },
    abort() {
      aborted = true;
    },
    async caughtUp(timeoutMs = 10_000) {
      // Two idle rounds after the call: every record written before it has been read and acknowledged.
      const deadline = Date.now() + timeoutMs;
      const start = idleRound;
      while (idleRound < start + 2) {
        if (Date.now() > deadline) throw new Error('stream poller did not catch up in time');
        await new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          setTimeout(resolve, 200).unref();
        });
      }
    },
  };
}
