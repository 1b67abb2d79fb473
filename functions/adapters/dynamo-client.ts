/** The DynamoDB document client every adapter shares: created once per container, with the one SDK policy. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SDK_POLICY, type LocalCredentials } from './sdk-policy.js';

export interface DynamoConfig {
  /** DynamoDB Local's address; AWS's regional endpoint when omitted. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  readonly credentials?: LocalCredentials | undefined;
}

export function createDocumentClient(config: DynamoConfig = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(config.endpoint && { endpoint: config.endpoint }),
    ...(config.region && { region: config.region }),
    ...(config.credentials && { credentials: config.credentials }),
    ...SDK_POLICY,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
