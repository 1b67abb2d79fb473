/** Lambda entry: the evidence routes. */
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamo-idempotency-store.js';
import { S3EvidenceFileUrls } from '../adapters/s3-evidence-file-urls.js';
import { ENV, optionalEnv } from '../config/environment.js';
import { createHandler } from '../http/evidence.js';
import { tableFromEnv } from '../http/table-from-env.js';
import { verifierFromEnv } from '../http/verifier-from-env.js';

const { client, settings } = tableFromEnv();
const s3Endpoint = optionalEnv(ENV.s3Endpoint);

export const handler = createHandler({
  verifier: verifierFromEnv(),
  auditLog: new DynamoAuditLog(client, settings),
  idempotency: new DynamoIdempotencyStore(client, settings.tableName),
  evidence: new DynamoEvidenceRepository(client, settings),
  fileUrls: new S3EvidenceFileUrls({
    s3: new S3Client({
      ...(s3Endpoint && { endpoint: s3Endpoint, forcePathStyle: true }),
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
    }),
    bucket: optionalEnv(ENV.evidenceBucket),
  }),
});
