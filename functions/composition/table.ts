/** The composition root's DynamoDB half (see root.ts): the document client and every table adapter, once per configuration. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { DynamoCommentRepository } from '../adapters/dynamo-comment-repository.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoIdempotencyStore } from '../adapters/dynamo-idempotency-store.js';
import { DynamoOrganisationDirectory } from '../adapters/dynamo-organisation-directory.js';
import { DynamoRequestRepository, type TableSettings } from '../adapters/dynamo-request-repository.js';
import { S3EvidenceFileUrls } from '../adapters/s3-evidence-file-urls.js';
import type { Configuration } from '../config/configuration.js';
import type { AuditDeps, EvidenceDeps, RequestsDeps } from './dependencies.js';
import { clientBase, cursorSealer, perConfiguration, s3UrlSigner, verifier } from './root.js';

export const documentClient = /* @__PURE__ */ perConfiguration((config): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientBase(config), ...(config.dynamodbEndpoint && { endpoint: config.dynamodbEndpoint }) }), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

const table = (config: Configuration): TableSettings => ({ tableName: config.tableName, auditTtlDays: config.auditTtlDays });

export const auditLog = /* @__PURE__ */ perConfiguration((config) => new DynamoAuditLog(documentClient(config), table(config)));
export const idempotencyStore = /* @__PURE__ */ perConfiguration((config) => new DynamoIdempotencyStore(documentClient(config), config.tableName));
export const requestRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoRequestRepository(documentClient(config), table(config)));
export const evidenceRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoEvidenceRepository(documentClient(config), table(config)));
export const organisationDirectory = /* @__PURE__ */ perConfiguration((config) => new DynamoOrganisationDirectory(documentClient(config), config.tableName));
export const commentRepository = /* @__PURE__ */ perConfiguration((config) => new DynamoCommentRepository(documentClient(config), table(config)));
export const evidenceFileUrls = /* @__PURE__ */ perConfiguration((config) => new S3EvidenceFileUrls({ sign: s3UrlSigner(config), bucket: config.evidenceBucket }));

export const auditDeps = /* @__PURE__ */ perConfiguration((config): AuditDeps => ({ verifier: verifier(config), cursors: cursorSealer(config), auditLog: auditLog(config) }));

export const requestsDeps = /* @__PURE__ */ perConfiguration(
  (config): RequestsDeps => ({
    ...auditDeps(config),
    idempotency: idempotencyStore(config),
    requests: requestRepository(config),
    evidence: evidenceRepository(config),
    organisations: organisationDirectory(config),
    comments: commentRepository(config),
  }),
);

export const evidenceDeps = /* @__PURE__ */ perConfiguration(
  (config): EvidenceDeps => ({ ...auditDeps(config), idempotency: idempotencyStore(config), evidence: evidenceRepository(config), fileUrls: evidenceFileUrls(config) }),
);

