/** The archive's state in the table: the anchored manifest head and audit ids for reconciliation. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ManifestHeadConflictError, type AuditEventSource, type ManifestHead, type ManifestHeadStore } from '../archive/ports.js';
import { PARTITION_KEY, SORT_KEY } from '../config/table.js';
import { partitions } from './dynamo-items.js';

export const MANIFEST_HEAD_KEY = { pk: 'SYSTEM#manifest-head', sk: 'manifest-head' } as const;

export class DynamoManifestHeadStore implements ManifestHeadStore {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async get(): Promise<ManifestHead | undefined> {
    const answer = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: MANIFEST_HEAD_KEY, ConsistentRead: true }));
    const item = answer.Item;
    if (!item) return undefined;
    return {
      key: String(item['key']),
      sha256: String(item['sha256']),
      sequence: Number(item['sequence']),
      windowTo: String(item['windowTo']),
      createdAt: String(item['createdAt']),
    };
  }

  async advance(next: ManifestHead, expectedSequence: number | undefined): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...MANIFEST_HEAD_KEY, ...next },
          ConditionExpression: expectedSequence === undefined ? 'attribute_not_exists(pk)' : '#sequence = :expected',
          ...(expectedSequence === undefined
            ? {}
            : { ExpressionAttributeNames: { '#sequence': 'sequence' }, ExpressionAttributeValues: { ':expected': expectedSequence } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ManifestHeadConflictError(expectedSequence);
      throw error;
    }
  }
}

/** Audit events by time from the table's every-tenant log (pk `AUDIT#<shard>`, sk `<occurredAt>#<eventId>`), every shard. */
export class DynamoAuditEventSource implements AuditEventSource {
  private readonly doc: DynamoDBDocumentClient;
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async eventIdsBetween(from: string, to: string): Promise<string[]> {
    const ids: string[] = [];
    for (const shard of partitions.allAudit.all) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :kind AND #sk BETWEEN :from AND :to',
            ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#id': 'eventId', '#at': 'occurredAt' },
            ExpressionAttributeValues: { ':kind': shard, ':from': from, ':to': to },
            ProjectionExpression: '#id, #at',
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          const occurredAt = String(item['occurredAt']);
          if (occurredAt >= from && occurredAt < to) ids.push(String(item['eventId']));
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return ids;
  }
}
