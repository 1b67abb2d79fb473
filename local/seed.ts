/** Creates the table on DynamoDB Local (from the production definition) and seeds the organisations. */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { keys, organisationItem, userItem } from '../functions/adapters/dynamo-items.js';
import type { LocalUser } from '../functions/adapters/local-user-store.js';
import { createTableInput, INDEXES } from '../functions/config/table.js';
import type { UserRecord } from '../functions/core/ports.js';
import { demoStoreUsers } from './demo-users.js';

export interface SeedOrganisation {
  readonly orgId: string;
  readonly kind: 'buyer' | 'factory';
  readonly name: string;
}

export const SEED_ORGANISATIONS: readonly SeedOrganisation[] = [
  { orgId: 'B001', kind: 'buyer', name: 'Northwind Apparel' },
  { orgId: 'B002', kind: 'buyer', name: 'Contoso Outdoor' },
  { orgId: 'F001', kind: 'factory', name: 'Sunrise Textiles' },
  { orgId: 'F002', kind: 'factory', name: 'Delta Garments' },
];

/** Creates the table unless it exists; resolves to whether it was created. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    return false;
  }
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 0.1, maxDelay: 1 }, { TableName: tableName });
  return true;
}

/** When the seeded records say they were made (stable, so a restart rewrites nothing). */
export const SEED_DATE = '2026-01-01T00:00:00.000Z';

async function putOnce(client: DynamoDBClient, tableName: string, item: Record<string, unknown>, condition: string): Promise<boolean> {
  try {
    await client.send(new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }), ConditionExpression: condition }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Puts each organisation unless already present, so a restart never rewrites them; an
 * organisation seeded before organisations were listed (no index keys) is upgraded once.
 */
export async function seedOrganisations(
  client: DynamoDBClient,
  tableName: string,
  organisations: readonly SeedOrganisation[] = SEED_ORGANISATIONS,
): Promise<number> {
  let added = 0;
  for (const org of organisations) {
    const item = organisationItem({ ...org, status: 'ACTIVE', createdAt: SEED_DATE });
    if (await putOnce(client, tableName, item, `attribute_not_exists(pk) OR attribute_not_exists(${INDEXES.byKind.partitionKey})`)) added += 1;
  }
  return added;
}

/** The table's records of the demo users (for listing and session freshness), unless present. */
export async function seedUsers(client: DynamoDBClient, tableName: string, users: readonly LocalUser[] = demoStoreUsers()): Promise<number> {
  let added = 0;
  for (const u of users) {
    const user: UserRecord = {
      userId: u.userId,
      username: u.username,
      email: u.email,
      role: u.group,
      ...(u.orgId !== undefined && { orgId: u.orgId }),
      status: 'ACTIVE',
      createdAt: SEED_DATE,
      updatedAt: SEED_DATE,
    };
    if (!(await putOnce(client, tableName, { ...keys.username(u.username), entity: 'username', userId: u.userId }, 'attribute_not_exists(pk)'))) continue;
    await putOnce(client, tableName, userItem(user, 1), 'attribute_not_exists(pk)');
    added += 1;
  }
  return added;
}
