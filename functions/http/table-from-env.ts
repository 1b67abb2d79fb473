/** The table's document client and settings, from the environment once per container. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../adapters/dynamo-client.js';
import type { TableSettings } from '../adapters/dynamo-request-repository.js';
import { ENV, optionalEnv, requiredEnv } from '../config/environment.js';

export const DEFAULT_AUDIT_TTL_DAYS = 90;

export function tableFromEnv(env: NodeJS.ProcessEnv = process.env): { client: DynamoDBDocumentClient; settings: TableSettings } {
  const client = createDocumentClient({ endpoint: optionalEnv(ENV.dynamodbEndpoint, env), region: optionalEnv(ENV.region, env) });
  const settings: TableSettings = {
    tableName: requiredEnv(ENV.tableName, env),
    auditTtlDays: Number(optionalEnv(ENV.auditTtlDays, env) ?? DEFAULT_AUDIT_TTL_DAYS),
  };
  return { client, settings };
}
