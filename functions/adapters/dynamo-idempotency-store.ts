/**
 * Idempotency records on DynamoDB: `IDEMPOTENCY#<key hash>` / `IDEMPOTENCY`, expiring by
 * TTL after 24 h. Every write is conditional; nothing is ever deleted by code. DynamoDB's
 * TTL removes expired items lazily (up to days later), so expiry is also checked in the
 * conditions (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY, SORT_KEY, TTL_ATTRIBUTE } from '../config/table.js';
import type { IdempotencyRecord, IdempotencyStore, StoredAnswer } from '../core/idempotency.js';
import { dynamo, translateDynamoError } from './dynamo-errors.js';

const SORT = 'IDEMPOTENCY';
const key = (keyHash: string) => ({ [PARTITION_KEY]: `IDEMPOTENCY#${keyHash}`, [SORT_KEY]: SORT });
const epochSeconds = (now: Date) => Math.floor(now.getTime() / 1000);

/** `status` and `ttl` are DynamoDB reserved words. */
const NAMES = { '#status': 'status', '#ttl': TTL_ATTRIBUTE };

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(record: IdempotencyRecord, now: Date): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key(record.keyHash),
            entity: 'idempotency',
            bodyHash: record.bodyHash,
            status: record.status,
            owner: record.owner,
            lockedUntil: record.lockedUntil,
            [TTL_ATTRIBUTE]: record.expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': epochSeconds(now) },
        }),
      ),
    );
  }

  async get(keyHash: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.tableName, Key: key(keyHash), ConsistentRead: true })));
    if (!Item) return undefined;
    return {
      keyHash,
      bodyHash: Item.bodyHash as string,
      status: Item.status as IdempotencyRecord['status'],
      owner: Item.owner as string,
      lockedUntil: Item.lockedUntil as number,
      expiresAt: Item[TTL_ATTRIBUTE] as number,
      ...(typeof Item.answer === 'string' && { answer: JSON.parse(Item.answer) as StoredAnswer }),
    };
  }

  async takeOver(keyHash: string, bodyHash: string, owner: string, lockedUntil: number, now: Date): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(keyHash),
          UpdateExpression: 'SET #status = :inProgress, #owner = :owner, lockedUntil = :lockedUntil',
          ConditionExpression: 'bodyHash = :bodyHash AND #ttl > :nowSeconds AND (#status = :released OR (#status = :inProgress AND lockedUntil <= :nowMs))',
          ExpressionAttributeNames: { ...NAMES, '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':inProgress': 'IN_PROGRESS',
            ':released': 'RELEASED',
            ':owner': owner,
            ':lockedUntil': lockedUntil,
            ':bodyHash': bodyHash,
            ':nowSeconds': epochSeconds(now),
            ':nowMs': now.getTime(),
          },
        }),
      ),
    );
  }

  async complete(keyHash: string, owner: string, answer: StoredAnswer): Promise<boolean> {
    return this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(keyHash),
          // The answer is kept as one JSON string: replayed byte for byte, no marshalling surprises.
          UpdateExpression: 'SET #status = :completed, answer = :answer',
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: { ':completed': 'COMPLETED', ':answer': JSON.stringify(answer), ':owner': owner, ':inProgress': 'IN_PROGRESS' },
        }),
      ),
    );
  }

  async release(keyHash: string, owner: string): Promise<void> {
    await this.conditional(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key(keyHash),
          UpdateExpression: 'SET #status = :released',
          ConditionExpression: '#owner = :owner AND #status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: { ':released': 'RELEASED', ':owner': owner, ':inProgress': 'IN_PROGRESS' },
        }),
      ),
    );
  }

  /** Runs a conditional write: false when its condition failed; throttling becomes ServiceBusyError. */
  private async conditional(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return translateDynamoError(error);
    }
  }
}
