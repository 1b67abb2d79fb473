/** Lambda entry: the request routes. */
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamo-idempotency-store.js';
import { DynamoOrganisationDirectory } from '../adapters/dynamo-organisation-directory.js';
import { DynamoRequestRepository } from '../adapters/dynamo-request-repository.js';
import { createHandler } from '../http/requests.js';
import { tableFromEnv } from '../http/table-from-env.js';
import { verifierFromEnv } from '../http/verifier-from-env.js';

const { client, settings } = tableFromEnv();

export const handler = createHandler({
  verifier: verifierFromEnv(),
  auditLog: new DynamoAuditLog(client, settings),
  idempotency: new DynamoIdempotencyStore(client, settings.tableName),
  requests: new DynamoRequestRepository(client, settings),
  evidence: new DynamoEvidenceRepository(client, settings),
  organisations: new DynamoOrganisationDirectory(client, settings.tableName),
});
