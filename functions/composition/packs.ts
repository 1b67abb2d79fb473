/**
 * The composition root's pack half (see root.ts): the packs route group (and the pack builder of
 * the local runtime), apart so that only the packs bundle carries the SQS client.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoPackRepository } from '../adapters/dynamo-pack-repository.js';
import { S3EvidenceObjectReader, S3PackFileUrls, S3PackObjectWriter } from '../adapters/s3-pack-files.js';
import { SqsPackJobs } from '../adapters/sqs-pack-jobs.js';
import type { Configuration } from '../config/configuration.js';
import type { PackSigner } from '../core/ports.js';
import type { PackBuilderDeps } from '../core/use-cases/pack-builder.js';
import type { PacksDeps } from './dependencies.js';
import { clientBase, perConfiguration, s3Client, s3UrlSigner } from './root.js';
import { auditDeps, documentClient, evidenceRepository, idempotencyStore, organisationDirectory } from './table.js';

export const packRepository = /* @__PURE__ */ perConfiguration(
  (config) => new DynamoPackRepository(documentClient(config), { tableName: config.tableName, auditTtlDays: config.auditTtlDays }),
);
export const packFileUrls = /* @__PURE__ */ perConfiguration((config) => new S3PackFileUrls({ sign: s3UrlSigner(config), bucket: config.packsBucket }));
export const packJobs = /* @__PURE__ */ perConfiguration(
  (config) => config.packJobs ?? new SqsPackJobs(new SQSClient(clientBase(config)), config.packQueueUrl),
);

export const packsDeps = /* @__PURE__ */ perConfiguration(
  (config): PacksDeps => ({
    ...auditDeps(config),
    idempotency: idempotencyStore(config),
    evidence: evidenceRepository(config),
    organisations: organisationDirectory(config),
    packs: packRepository(config),
    packFileUrls: packFileUrls(config),
    packJobs: packJobs(config),
  }),
);

/** The pack builder's ports in the local runtime (in AWS: packBuilderJobDeps in jobs.ts); `signer` is the local manifest key. */
export function packBuilderDeps(config: Configuration, signer: PackSigner): PackBuilderDeps {
  return {
    packs: packRepository(config),
    evidence: evidenceRepository(config),
    objects: new S3EvidenceObjectReader(s3Client(config), config.evidenceBucket),
    zips: new S3PackObjectWriter(s3Client(config), config.packsBucket),
    signer,
  };
}
