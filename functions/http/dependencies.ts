/**
 * Builds the production adapters from the environment, once per container. Tests build
 * their own (real DynamoDB Local, a local token issuer) and pass them to createHandler.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { createDocumentClient } from '../adapters/dynamo-client.js';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamo-idempotency-store.js';
import { DynamoOrganisationDirectory } from '../adapters/dynamo-organisation-directory.js';
import { DynamoRequestRepository, type TableSettings } from '../adapters/dynamo-request-repository.js';
import { S3PresignedUploads } from '../adapters/s3-presigned-uploads.js';
import { ENV, optionalEnv, requiredEnv } from '../config/environment.js';
import type { IdempotencyStore } from '../core/idempotency.js';
import type { AuditLog, EvidenceRepository, FileUploads, OrganisationDirectory, RequestRepository } from '../core/ports.js';

export interface AppDeps {
  readonly verifier: AccessTokenVerifier;
  readonly auditLog: AuditLog;
  readonly requests: RequestRepository;
  readonly evidence: EvidenceRepository;
  readonly organisations: OrganisationDirectory;
  readonly uploads: FileUploads;
  /** The first answers of POSTs sent with an `Idempotency-Key`. */
  readonly idempotency: IdempotencyStore;
  readonly now?: () => Date;
}

export const DEFAULT_AUDIT_TTL_DAYS = 90;

export function verifierFromEnv(env: NodeJS.ProcessEnv = process.env): AccessTokenVerifier {
  const jwksUri = optionalEnv(ENV.jwksUri, env);
  return createAccessTokenVerifier({
    userPoolId: requiredEnv(ENV.userPoolId, env),
    clientIds: requiredEnv(ENV.clientIds, env).split(','),
    ...(jwksUri && { jwksUri }),
  });
}

function tableFromEnv(env: NodeJS.ProcessEnv) {
  const client = createDocumentClient({ endpoint: optionalEnv(ENV.dynamodbEndpoint, env), region: optionalEnv(ENV.region, env) });
  const settings: TableSettings = {
    tableName: requiredEnv(ENV.tableName, env),
    auditTtlDays: Number(optionalEnv(ENV.auditTtlDays, env) ?? DEFAULT_AUDIT_TTL_DAYS),
  };
  return { client, settings };
}

/** The audit route needs only the verifier and the audit log: no S3 client, no repositories. */
export function auditDepsFromEnv(env: NodeJS.ProcessEnv = process.env): Pick<AppDeps, 'verifier' | 'auditLog'> {
  const { client, settings } = tableFromEnv(env);
  return { verifier: verifierFromEnv(env), auditLog: new DynamoAuditLog(client, settings) };
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): AppDeps {
  const { client, settings } = tableFromEnv(env);
  const s3Endpoint = optionalEnv(ENV.s3Endpoint, env);
  const evidenceBucket = optionalEnv(ENV.evidenceBucket, env);
  return {
    verifier: verifierFromEnv(env),
    auditLog: new DynamoAuditLog(client, settings),
    requests: new DynamoRequestRepository(client, settings),
    evidence: new DynamoEvidenceRepository(client, settings),
    organisations: new DynamoOrganisationDirectory(client, settings.tableName),
    idempotency: new DynamoIdempotencyStore(client, settings.tableName),
    uploads: new S3PresignedUploads(
      new S3Client({
        ...(s3Endpoint && { endpoint: s3Endpoint, forcePathStyle: true }),
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
      }),
      evidenceBucket,
    ),
  };
}
