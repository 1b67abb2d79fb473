/**
 * Newest-first paginated queries on a GSI, with opaque cursors. A cursor is the last key
 * read, base64url JSON; on the way back in it must be well formed and name the very
 * partition the caller's own query reads, so it can never reach another tenant's items.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { INDEXES, PARTITION_KEY, SORT_KEY, type IndexDefinition } from '../config/table.js';
import { ValidationError } from '../core/errors.js';
import type { Page, PageRequest } from '../core/ports.js';
import { dynamo } from './dynamo-errors.js';

type Item = Record<string, unknown>;

export interface IndexQuery {
  readonly index: IndexDefinition;
  readonly partition: string;
  /** Inclusive bounds on the index sort key. */
  readonly sortKeyFrom?: string | undefined;
  readonly sortKeyTo?: string | undefined;
  readonly filter?: { readonly expression: string; readonly names: Record<string, string>; readonly values: Record<string, unknown> } | undefined;
}

/** Query rounds per page when a filter discards items; the page may then come back short, with a cursor. */
const MAX_ROUNDS = 10;

const CursorKey = z.record(z.string().check(z.maxLength(16)), z.string().check(z.maxLength(1024)));

export function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, query: IndexQuery): Item {
  const invalid = () => new ValidationError([{ path: 'query.cursor', message: 'is not a cursor of this list' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const key = CursorKey.safeParse(parsed);
  const expected = [PARTITION_KEY, SORT_KEY, query.index.partitionKey, query.index.sortKey].sort();
  if (!key.success || JSON.stringify(Object.keys(key.data).sort()) !== JSON.stringify(expected)) throw invalid();
  if (key.data[query.index.partitionKey] !== query.partition) throw invalid();
  return key.data;
}

function keyOf(item: Item, index: IndexDefinition): Item {
  const names = [PARTITION_KEY, SORT_KEY, index.partitionKey, index.sortKey];
  return Object.fromEntries(names.map((name) => [name, item[name]]));
}

export async function queryPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  query: IndexQuery,
  page: PageRequest,
): Promise<Page<Item>> {
  const { index } = query;
  const names: Record<string, string> = { '#pk': index.partitionKey, ...query.filter?.names };
  const values: Record<string, unknown> = { ':pk': query.partition, ...query.filter?.values };
  let keyCondition = '#pk = :pk';
  if (query.sortKeyFrom !== undefined || query.sortKeyTo !== undefined) {
    names['#sk'] = index.sortKey;
    if (query.sortKeyFrom !== undefined && query.sortKeyTo !== undefined) {
      keyCondition += ' AND #sk BETWEEN :from AND :to';
      Object.assign(values, { ':from': query.sortKeyFrom, ':to': query.sortKeyTo });
    } else if (query.sortKeyFrom !== undefined) {
      keyCondition += ' AND #sk >= :from';
      values[':from'] = query.sortKeyFrom;
    } else {
      keyCondition += ' AND #sk <= :to';
      values[':to'] = query.sortKeyTo;
    }
  }
  const input: QueryCommandInput = {
    TableName: tableName,
    IndexName: index.indexName,
    KeyConditionExpression: keyCondition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
    Limit: page.limit,
    ...(query.filter && { FilterExpression: query.filter.expression }),
  };
  let startKey = page.cursor === undefined ? undefined : decodeCursor(page.cursor, query);
  const items: Item[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = await dynamo(() => client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
    items.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
    if (items.length >= page.limit || !startKey) break;
  }
  if (items.length > page.limit) {
    const kept = items.slice(0, page.limit);
    return { items: kept, nextCursor: encodeCursor(keyOf(kept.at(-1)!, index)) };
  }
  return { items, ...(startKey && { nextCursor: encodeCursor(startKey) }) };
}

export { INDEXES };
