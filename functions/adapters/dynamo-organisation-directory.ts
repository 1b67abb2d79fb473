/** Registered organisations (seeded locally, provisioned by admins in AWS). */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OrganisationDirectory } from '../core/ports.js';
import { dynamo } from './dynamo-errors.js';
import { keys } from './dynamo-items.js';

export class DynamoOrganisationDirectory implements OrganisationDirectory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async kindOf(orgId: string): Promise<'buyer' | 'factory' | undefined> {
    const { Item } = await dynamo(() => this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.organisation(orgId) })));
    const kind = Item?.kind;
    return kind === 'buyer' || kind === 'factory' ? kind : undefined;
  }
}
