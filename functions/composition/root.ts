/**
 * The composition root: every SDK client (one policy, adapters/sdk-policy.ts) and every
 * adapter of the API is built here, once per configuration object, and nowhere else. Lambda
 * entries pass `production()` (the environment, parsed once); the local runtime and the tests
 * pass their own configuration objects, so two runtimes in one process keep apart.
 * Each builder is a separate pure export, so a bundle carries only the clients its route
 * group uses.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../adapters/cognito-token-verifier.js';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamo-idempotency-store.js';
import { DynamoOrganisationDirectory } from '../adapters/dynamo-organisation-directory.js';
import { DynamoRequestRepository, type TableSettings } from '../adapters/dynamo-request-repository.js';
import { S3PresignedUploads } from '../adapters/s3-presigned-uploads.js';
import { secretCursorKey } from '../adapters/secret-cursor-key.js';
import { SDK_POLICY } from '../adapters/sdk-policy.js';
import { configurationFromEnv, type Configuration } from '../config/configuration.js';
import { createCursorSealer, type CursorSealer } from '../middleware/cursors.js';
import type { AuditDeps, EvidenceDeps, PublicDeps, RequestsDeps } from './dependencies.js';

/** A builder that runs once per configuration object. */
function perConfiguration<T>(build: (config: Configuration) => T): (config: Configuration) => T {
  const built = new WeakMap<Configuration, T>();
  return (config) => {
    if (!built.has(config)) built.set(config, build(config));
    return built.get(config) as T;
  };
}

const clientBase = (config: Configuration) => ({
  ...SDK_POLICY,
  ...(config.region && { region: config.region }),
  ...(config.credentials && { credentials: config.credentials }),
});

export const documentClient = /* @__PURE__ */ perConfiguration((config): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientBase(config), ...(config.dynamodbEndpoint && { endpoint: config.dynamodbEndpoint }) }), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const s3Client = /* @__PURE__ */ perConfiguration(
  (config): S3Client => new S3Client({ ...clientBase(config), ...(config.s3Endpoint && { endpoint: config.s3Endpoint, forcePathStyle: true }) }),
);

export const verifier = /* @__PURE__ */ perConfiguration(
  (config): AccessTokenVerifier =>
    createAccessTokenVerifier({ userPoolId: config.userPoolId, clientIds: config.clientIds, ...(config.jwksUri && { jwksUri: config.jwksUri }) }),
);

export const cursorSealer = /* @__PURE__ */ perConfiguration((config): CursorSealer => {
  if (config.cursorKey) return createCursorSealer(config.cursorKey);
  if (!config.cursorKeySecretArn) throw new Error('Configuration has no cursor key: set CURSOR_KEY_SECRET_ARN (or pass cursorKey locally)');
  return createCursorSealer(secretCursorKey(new SecretsManagerClient(clientBase(config)), config.cursorKeySecretArn));
});

const table = (config: Configuration): TableSettings => ({ tableName: config.tableName, auditTtlDays: config.auditTtlDays });

export const auditLog = /* @__PURE__ */ perConfiguration((config) => new DynamoAuditLog(documentClient(config), table(config)));
export const idempotencyStore = /* @__PURE__ */ perConfiguration((config) => new DynamoIdempotencyStore(documentClient(config), config.tableName));
export const requestRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoRequestRepository(documentClient(config), table(config)));
export const evidenceRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoEvidenceRepository(documentClient(config), table(config)));
export const organisationDirectory = /* @__PURE__ */ perConfiguration((config) => new DynamoOrganisationDirectory(documentClient(config), config.tableName));
export const fileUploads = /* @__PURE__ */ perConfiguration((config) => new S3PresignedUploads(s3Client(config), config.evidenceBucket));

export const auditDeps = /* @__PURE__ */ perConfiguration((config): AuditDeps => ({ verifier: verifier(config), cursors: cursorSealer(config), auditLog: auditLog(config) }));

export const requestsDeps = /* @__PURE__ */ perConfiguration(
  (config): RequestsDeps => ({
    ...auditDeps(config),
    idempotency: idempotencyStore(config),
    requests: requestRepository(config),
    evidence: evidenceRepository(config),
    organisations: organisationDirectory(config),
  }),
);

export const evidenceDeps = /* @__PURE__ */ perConfiguration(
  (config): EvidenceDeps => ({ ...auditDeps(config), idempotency: idempotencyStore(config), evidence: evidenceRepository(config), uploads: fileUploads(config) }),
);

export const publicDeps = /* @__PURE__ */ perConfiguration((config): PublicDeps => ({ verifier: verifier(config) }));

let fromEnvironment: Configuration | undefined;

/** The Lambda's configuration: its environment, parsed on first use. */
export function production(): Configuration {
  if (!fromEnvironment) fromEnvironment = configurationFromEnv(process.env);
  return fromEnvironment;
}
