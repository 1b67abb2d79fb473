/** A fresh table on the shared DynamoDB Local for one test file. */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createTableInput } from '../../functions/config/table.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local.js';

export interface TestTable {
  readonly tableName: string;
  readonly endpoint: string;
  readonly client: DynamoDBClient;
}

export function dynamodbEndpoint(): string {
  return inject('dynamodbEndpoint');
}

export function localDynamoClient(endpoint = dynamodbEndpoint()): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

export async function createTestTable(prefix = 'test'): Promise<TestTable> {
  const endpoint = dynamodbEndpoint();
  const client = localDynamoClient(endpoint);
  const tableName = `${prefix}-${randomUUID()}`;
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  return { tableName, endpoint, client };
}
