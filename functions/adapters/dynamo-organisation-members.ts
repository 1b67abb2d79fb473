/** The active members of an organisation, from the user directory's items (USER#<id>, listed per org on byOwner as MEMBERS#<orgId>). */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { INDEXES } from '../config/table.js';
import type { OrganisationMembers, Recipient } from '../core/notification-ports.js';
import { dynamo } from './dynamo-errors.js';
import { fullItems } from './dynamo-pages.js';

export class DynamoOrganisationMembers implements OrganisationMembers {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async membersOf(orgId: string): Promise<Recipient[]> {
    const members: Recipient[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await dynamo(() =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: INDEXES.byOwner.indexName,
            KeyConditionExpression: '#pk = :pk',
            FilterExpression: '#entity = :user AND #status = :active',
            ExpressionAttributeNames: { '#pk': INDEXES.byOwner.partitionKey, '#entity': 'entity', '#status': 'status' },
            ExpressionAttributeValues: { ':pk': `MEMBERS#${orgId}`, ':user': 'user', ':active': 'ACTIVE' },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of await fullItems(this.client, this.tableName, INDEXES.byOwner, page.Items ?? [])) {
        members.push({ userId: String(item['userId']), username: String(item['username']), ...(typeof item['email'] === 'string' && { email: item['email'] }) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return members;
  }
}
