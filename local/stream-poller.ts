/**
 * Reads DynamoDB Local's stream and invokes the archiver the way Lambda's event source
 * mapping does (batches per shard, in order, ReportBatchItemFailures), with checkpoints in
 * a file. Before a batch is handed over, its sequence range is recorded as pending; after a
 * restart the very same batch is rebuilt and redelivered, so its object keys repeat and the
 * write-once store adds nothing. Killing the process at any moment loses and doubles nothing.
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
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.js';

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
  /** @default 100 (Lambda's default for DynamoDB streams; at most 1000) */
  readonly batchSize?: number;
  /** @default 200 */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface StreamPoller {
  /** Finishes the batch in flight, then stops. */
  stop(): Promise<void>;
  /** Stops at once, as a killed process would: nothing more is checkpointed. */
  abort(): void;
  /** Resolves once every record currently in the stream has been acknowledged. */
  caughtUp(timeoutMs?: number): Promise<void>;
  readonly stats: { batches: number; records: number; failures: number };
}

const seq = (s: string) => BigInt(s);

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
  const batchSize = Math.min(options.batchSize ?? 100, 1000);
  const interval = options.pollIntervalMs ?? 200;
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
  const stats = { batches: 0, records: 0, failures: 0 };
  const iterators = new Map<string, string>();
  let checkpoints = readCheckpoints(options.checkpointFile);
  let stopping = false;
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
    const answer = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(cp.last ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: cp.last } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  /** Reads one batch of a shard; `busy` tells whether records were found. */
  async function pollShard(streamArn: string, shard: Shard): Promise<boolean> {
    const shardId = shard.ShardId!;
    const cp = checkpointOf(streamArn, shardId);
    if (cp.done) return false;
    let iterator = await iteratorFor(streamArn, shardId, cp);
    const batch: _Record[] = [];
    let closed = false;
    // A pending batch is rebuilt exactly (same first and last record) before anything new.
    const target = cp.pending ? seq(cp.pending.last) : undefined;
    while (iterator) {
      let answer;
      try {
        answer = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          iterators.delete(shardId);
          return false;
        }
        throw error;
      }
      iterator = answer.NextShardIterator;
      if (!iterator) closed = true;
      for (const record of answer.Records ?? []) {
        if (target !== undefined && seq(record.dynamodb!.SequenceNumber!) > target) break;
        batch.push(record);
      }
      if (target === undefined) break;
      const lastSeen = batch[batch.length - 1]?.dynamodb?.SequenceNumber;
      if ((lastSeen && seq(lastSeen) >= target) || (answer.Records ?? []).length === 0) break;
    }
    if (aborted) return false;
    if (batch.length === 0) {
      if (iterator) iterators.set(shardId, iterator);
      else iterators.delete(shardId);
      if (closed && !cp.pending) {
        cp.done = true;
        save();
      }
      return false;
    }
    if (target !== undefined) iterators.delete(shardId);
    else if (iterator) iterators.set(shardId, iterator);
    else iterators.delete(shardId);

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
      stats.failures++;
      throw error;
    }
    if (aborted) return false;
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
      throw new Error(`archiver reported a failure at sequence number ${failed}`);
    }
    stats.records += batch.length;
    cp.last = last;
    delete cp.pending;
    save();
    return true;
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
  }

  const idleWaiters: Array<() => void> = [];
  const loop = (async () => {
    let backoff = interval;
    while (!stopping && !aborted) {
      let busy = false;
      try {
        await refreshShards();
        for (const shard of shards) {
          if (stopping || aborted) break;
          if (await pollShard(streamArn!, shard)) busy = true;
        }
        backoff = interval;
      } catch (error) {
        if (!aborted && !stopping) options.onError?.(error);
        busy = false;
        backoff = Math.min(backoff * 2, 5_000);
        await sleep(backoff);
        continue;
      }
      if (!busy) {
        idleRound++;
        for (const resolve of idleWaiters.splice(0)) resolve();
        await sleep(interval);
      }
    }
  })();

  return {
    stats,
    async stop() {
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
