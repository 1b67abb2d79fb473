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
import { createTableInput } from '../functions/config/table.js';

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

/** Puts each organisation unless already present, so a restart never rewrites them. */
export async function seedOrganisations(
  client: DynamoDBClient,
  tableName: string,
  organisations: readonly SeedOrganisation[] = SEED_ORGANISATIONS,
): Promise<number> {
  let added = 0;
  for (const org of organisations) {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            pk: { S: `ORG#${org.orgId}` },
            sk: { S: 'ORG' },
            orgId: { S: org.orgId },
            kind: { S: org.kind },
            name: { S: org.name },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      added += 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return added;
}
