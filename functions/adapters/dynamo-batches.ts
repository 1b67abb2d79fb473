/** Batched reads and writes of many items (BatchGetItem, BatchWriteItem), unprocessed keys retried with backoff. */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { PARTITION_KEY, SORT_KEY } from '../config/table.js';
import { ServiceBusyError } from '../core/errors.js';
import { dynamo } from './dynamo-errors.js';

type Key = Record<string, string>;
const MAX_ROUNDS = 8;

/** The partition keys of those `keys` that name an item (consistent reads). */
export async function existingKeys(client: DynamoDBDocumentClient, tableName: string, keys: readonly Key[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < keys.length; start += 100) {
    let pending: Key[] = keys.slice(start, start + 100);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new ServiceBusyError(1);
      if (round > 0) await sleep(2 ** round * 25);
      const answer = await dynamo(() =>
        client.send(
          new BatchGetCommand({
            RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ProjectionExpression: '#pk, #sk', ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY } } },
          }),
        ),
      );
      for (const item of answer.Responses?.[tableName] ?? []) found.add(String(item[PARTITION_KEY]));
      pending = (answer.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
    }
  }
  return found;
}

/** Puts every item (25 a batch); a put that repeats an existing item's content changes nothing. */
export async function putAll(client: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < items.length; start += 25) {
    let pending = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_ROUNDS) throw new ServiceBusyError(1);
      if (round > 0) await sleep(2 ** round * 25);
      const answer = await dynamo(() => client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })));
      pending = (answer.UnprocessedItems?.[tableName] ?? []) as typeof pending;
    }
  }
}
