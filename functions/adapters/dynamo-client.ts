/** The DynamoDB document client every adapter shares: created once per container, with timeouts and bounded retries. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoConfig {
  /** DynamoDB Local's address; AWS's regional endpoint when omitted. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

export function createDocumentClient(config: DynamoConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.endpoint && { endpoint: config.endpoint }),
    ...(config.region && { region: config.region }),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
