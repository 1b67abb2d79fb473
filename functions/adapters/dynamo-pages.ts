/**
 * Newest-first paginated queries on a GSI, with opaque cursors. A list reads one index
 * partition (a tenant's), or several shards of one (an every-tenant list), merged by sort
 * key. A cursor holds, per partition read, the last key consumed (or that it is exhausted),
 * base64url JSON; on the way back in it must be well formed and name exactly the partitions
 * the caller's own query reads, so it can never reach another tenant's items.
 */
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { PARTITION_KEY, SORT_KEY, type IndexDefinition } from '../config/table.js';
import { ValidationError } from '../core/errors.js';
import type { Page, PageRequest } from '../core/ports.js';
import { dynamo } from './dynamo-errors.js';

type Item = Record<string, unknown>;
type Key = Record<string, string>;

export interface IndexQuery {
  readonly index: IndexDefinition;
  /** The partition keys read: one for a tenant's list, every shard for an every-tenant list. */
  readonly partitions: readonly string[];
  /** Inclusive bounds on the index sort key. */
  readonly sortKeyFrom?: string | undefined;
  readonly sortKeyTo?: string | undefined;
  readonly filter?: { readonly expression: string; readonly names: Record<string, string>; readonly values: Record<string, unknown> } | undefined;
}

/** Query rounds per partition and page when a filter discards items; the page may then come back short, with a cursor. */
const MAX_ROUNDS = 10;

/** Where a partition's reading stands: not begun, after this key, or at its end. */
type Position = 'start' | Key | 'end';

interface Cursor {
  /** The sort key of the last item answered: partitions not begun yet read only older items. */
  readonly bound?: string | undefined;
  readonly positions: Record<string, Position>;
}

const CursorSchema = z.strictObject({
  bound: z.optional(z.string().check(z.maxLength(1024))),
  positions: z.record(
    z.string().check(z.maxLength(1024)),
    z.union([z.enum(['start', 'end']), z.record(z.string().check(z.maxLength(16)), z.string().check(z.maxLength(1024)))]),
  ),
});

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(cursor: string, query: IndexQuery): Cursor {
  const invalid = () => new ValidationError([{ path: 'query.cursor', message: 'is not a cursor of this list' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const result = CursorSchema.safeParse(parsed);
  if (!result.success) throw invalid();
  const { positions } = result.data;
  const keyNames = JSON.stringify(keyNamesOf(query.index));
  if (JSON.stringify(Object.keys(positions).sort()) !== JSON.stringify([...query.partitions].sort())) throw invalid();
  for (const [partition, position] of Object.entries(positions)) {
    if (position === 'start' || position === 'end') continue;
    if (JSON.stringify(Object.keys(position).sort()) !== keyNames || position[query.index.partitionKey] !== partition) throw invalid();
  }
  return result.data;
}

/** The key attributes of an index entry (the table's and the index's own; the same two for the table). */
function keyNamesOf(index: IndexDefinition): string[] {
  return [...new Set([PARTITION_KEY, SORT_KEY, index.partitionKey, index.sortKey])].sort();
}

function keyOf(item: Item, index: IndexDefinition): Key {
  return Object.fromEntries(keyNamesOf(index).map((name) => [name, String(item[name])]));
}

/** BatchGetItem's limit of keys per call. */
const BATCH_GET_KEYS = 100;

/**
 * The table's items behind index entries that carry only some attributes, in the entries'
 * order; an entry whose item is gone by now is dropped. Eventually consistent, as the index is.
 */
export async function fullItems(client: DynamoDBDocumentClient, tableName: string, index: IndexDefinition, entries: Item[]): Promise<Item[]> {
  if (index.projection === 'ALL' || entries.length === 0) return entries;
  const id = (item: Item) => `${String(item[PARTITION_KEY])}\u0000${String(item[SORT_KEY])}`;
  const found = new Map<string, Item>();
  for (let start = 0; start < entries.length; start += BATCH_GET_KEYS) {
    let keys: Record<string, unknown>[] | undefined = entries.slice(start, start + BATCH_GET_KEYS).map((e) => ({ [PARTITION_KEY]: e[PARTITION_KEY], [SORT_KEY]: e[SORT_KEY] }));
    for (let attempt = 0; keys && keys.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      const requested: Record<string, unknown>[] = keys;
      const result = await dynamo(() => client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: requested } } })));
      for (const item of result.Responses?.[tableName] ?? []) found.set(id(item), item);
      keys = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return entries.flatMap((entry): Item[] => {
    const item = found.get(id(entry));
    return item ? [item] : [];
  });
}

interface PartitionRead {
  readonly partition: string;
  readonly items: Item[];
  /** The last key evaluated when the partition has more to read. */
  readonly lastEvaluated?: Key;
}

export async function queryPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: IndexQuery,
  page: PageRequest,
): Promise<Page<Item>> {
  const { index } = query;
  const { bound, positions }: Cursor =
    page.cursor === undefined ? { positions: Object.fromEntries(query.partitions.map((p) => [p, 'start'])) } : decodeCursor(page.cursor, query);

  const reads = await Promise.all(
    query.partitions.flatMap((partition) => {
      const position = positions[partition]!;
      if (position === 'end') return [];
      return [readPartition(client, tableName, query, partition, position === 'start' ? { below: bound } : { after: position }, page.limit)];
    }),
  );

  // An item is safe to answer only if no unread item of any partition can sort before it:
  // unread items of a partition all sort after its last evaluated key (newest first), and
  // that key is itself an item already read.
  const sortKey = (item: Item) => String(item[index.sortKey]);
  const frontier = reads.reduce((max, r) => (r.lastEvaluated && r.lastEvaluated[index.sortKey]! > max ? r.lastEvaluated[index.sortKey]! : max), '');
  const answered = reads
    .flatMap((r) => r.items)
    .filter((item) => sortKey(item) >= frontier)
    .sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : -1))
    .slice(0, page.limit);

  const next: Record<string, Position> = {};
  for (const partition of query.partitions) {
    const read = reads.find((r) => r.partition === partition);
    if (!read) {
      next[partition] = 'end';
      continue;
    }
    const taken = answered.filter((item) => item[index.partitionKey] === partition);
    if (taken.length === read.items.length) next[partition] = read.lastEvaluated ?? 'end';
    else if (taken.length > 0) next[partition] = keyOf(taken.at(-1)!, index);
    else next[partition] = positions[partition]!;
  }
  const open = Object.values(next).some((position) => position !== 'end');
  const nextBound = answered.length > 0 ? sortKey(answered.at(-1)!) : bound;
  const items = await fullItems(client, tableName, index, answered);
  return { items, ...(open && { nextCursor: encodeCursor({ ...(nextBound !== undefined && { bound: nextBound }), positions: next }) }) };
}

async function readPartition(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: IndexQuery,
  partition: string,
  from: { readonly after: Key } | { readonly below: string | undefined },
  limit: number,
): Promise<PartitionRead> {
  const { index } = query;
  const names: Record<string, string> = { '#pk': index.partitionKey, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': partition, ...query.filter?.values };
  // The bound is the sort key of an item already answered: read up to it, then drop it.
  const below = 'below' in from ? from.below : undefined;
  const upper = below !== undefined && (query.sortKeyTo === undefined || below < query.sortKeyTo) ? below : query.sortKeyTo;
  let keyCondition = '#pk = :pk';
  if (query.sortKeyFrom !== undefined || upper !== undefined) {
    names['#sk'] = index.sortKey;
    if (query.sortKeyFrom !== undefined && upper !== undefined) {
      keyCondition += ' AND #sk BETWEEN :from AND :to';
      Object.assign(values, { ':from': query.sortKeyFrom, ':to': upper });
    } else if (query.sortKeyFrom !== undefined) {
      keyCondition += ' AND #sk >= :from';
      values[':from'] = query.sortKeyFrom;
    } else {
      keyCondition += ' AND #sk <= :to';
      values[':to'] = upper;
    }
  }
  const input: QueryCommandInput = {
    TableName: tableName,
    ...(index.indexName !== undefined && { IndexName: index.indexName }),
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: limit,
    ...(query.filter && { FilterExpression: query.filter.expression }),
  };
  const items: Item[] = [];
  let startKey: Item | undefined = 'after' in from ? from.after : undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = await dynamo(() => client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
    items.push(...(result.Items ?? []).filter((item) => below === undefined || String(item[index.sortKey]) < below));
    startKey = result.LastEvaluatedKey;
    if (items.length >= limit || !startKey) break;
  }
  return { partition, items, ...(startKey && { lastEvaluated: keyOf(startKey, index) }) };
}

/** One partition of the table itself, read in sort-key order (oldest first) or reverse, from `skPrefix`. */
export interface PartitionQuery {
  readonly partition: string;
  readonly skPrefix: string;
  /** @default true (ascending sort keys: oldest first) */
  readonly forward?: boolean;
  readonly filter?: IndexQuery['filter'];
}

const PartitionCursor = z.strictObject({ sk: z.string().check(z.minLength(1), z.maxLength(1024)) });

/**
 * A page of one partition's items under a sort-key prefix. The cursor holds the last sort key
 * answered; on the way back it must lie under the same prefix, so it reads nothing else.
 */
export async function queryPartitionPage(client: DynamoDBDocumentClient, tableName: string, query: PartitionQuery, page: PageRequest): Promise<Page<Item>> {
  let after: string | undefined;
  if (page.cursor !== undefined) {
    const invalid = () => new ValidationError([{ path: 'query.cursor', message: 'is not a cursor of this list' }]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(page.cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    const result = PartitionCursor.safeParse(parsed);
    if (!result.success || !result.data.sk.startsWith(query.skPrefix)) throw invalid();
    after = result.data.sk;
  }
  const items: Item[] = [];
  let startKey: Item | undefined = after === undefined ? undefined : { [PARTITION_KEY]: query.partition, [SORT_KEY]: after };
  for (let round = 0; round < MAX_ROUNDS && items.length < page.limit; round++) {
    const result = await dynamo(() =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, ...query.filter?.names },
          ExpressionAttributeValues: { ':pk': query.partition, ':prefix': query.skPrefix, ...query.filter?.values },
          ...(query.filter && { FilterExpression: query.filter.expression }),
          ScanIndexForward: query.forward ?? true,
          Limit: page.limit - items.length,
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  const last = startKey ? String(startKey[SORT_KEY]) : undefined;
  return { items, ...(last !== undefined && { nextCursor: Buffer.from(JSON.stringify({ sk: last })).toString('base64url') }) };
}
