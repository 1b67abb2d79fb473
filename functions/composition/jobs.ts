/**
 * The composition root of the asynchronous jobs (archiver, scheduled export, file verifier,
 * pack builder, backup export and drill): their clients and adapters, built once per settings object from
 * the one SDK policy. Each Lambda entry in handlers/ is `createHandler(<job>Deps(jobSettings()))`;
 * the local runtime builds its own deps for the same createHandler functions.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoArchiveBatchLedger } from '../adapters/dynamo-archive-batches.js';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.js';
import { createDocumentClient } from '../adapters/dynamo-client.js';
import { DynamoEvidenceRepository } from '../adapters/dynamo-evidence-repository.js';
import { DynamoAuditEventSource, DynamoManifestHeadStore } from '../adapters/dynamodb-archive-state.js';
import { createKmsClient, KmsManifestSigner } from '../adapters/kms-signer.js';
import { createArchiveS3Client, S3ArchiveStore } from '../adapters/s3-archive-store.js';
import { S3EvidenceObjects } from '../adapters/s3-evidence-objects.js';
import { DynamoPackRepository } from '../adapters/dynamo-pack-repository.js';
import { S3EvidenceObjectReader, S3PackObjectWriter } from '../adapters/s3-pack-files.js';
import type { PackBuilderDeps } from '../core/use-cases/pack-builder.js';
import { SDK_POLICY } from '../adapters/sdk-policy.js';
import { jobSettingsFromEnv, requiredSetting, type JobSettings } from '../config/configuration.js';
import type { ArchiverDeps } from '../jobs/archiver.js';
import type { BackupDrillDeps } from '../jobs/backup-drill.js';
import type { TableExportDeps } from '../jobs/backup-export.js';
import type { ExportHandlerDeps } from '../jobs/export.js';
import type { FileVerifierDeps } from '../jobs/file-verifier.js';
import { perConfiguration } from './root.js';

const dynamodbClient = /* @__PURE__ */ perConfiguration(
  (settings: JobSettings) =>
    new DynamoDBClient({ ...SDK_POLICY, ...(settings.region && { region: settings.region }), ...(settings.dynamodbEndpoint && { endpoint: settings.dynamodbEndpoint }) }),
);
const documentClient = /* @__PURE__ */ perConfiguration((settings: JobSettings) =>
  createDocumentClient({ endpoint: settings.dynamodbEndpoint, region: settings.region }),
);
const s3Client = /* @__PURE__ */ perConfiguration((settings: JobSettings) => createArchiveS3Client({ endpoint: settings.s3Endpoint, region: settings.region }));
const tableSettings = (settings: JobSettings) => ({ tableName: requiredSetting(settings, 'tableName'), auditTtlDays: settings.auditTtlDays });

export const archiverDeps = /* @__PURE__ */ perConfiguration(
  (settings: JobSettings): ArchiverDeps => ({
    writer: new S3ArchiveStore(s3Client(settings), requiredSetting(settings, 'archiveBucket')),
    batches: new DynamoArchiveBatchLedger(documentClient(settings), requiredSetting(settings, 'tableName')),
  }),
);

export const exportDeps = /* @__PURE__ */ perConfiguration((settings: JobSettings): ExportHandlerDeps => {
  const store = new S3ArchiveStore(s3Client(settings), requiredSetting(settings, 'archiveBucket'));
  const tableName = requiredSetting(settings, 'tableName');
  return {
    heartbeat: new DynamoAuditLog(documentClient(settings), tableSettings(settings)),
    reader: store,
    writer: store,
    head: new DynamoManifestHeadStore(dynamodbClient(settings), tableName),
    auditEvents: new DynamoAuditEventSource(dynamodbClient(settings), tableName),
    signer: new KmsManifestSigner(createKmsClient(settings.region), requiredSetting(settings, 'manifestSigningKeyId')),
    settleMs: settings.exportSettleSeconds * 1000,
    lookbackDays: settings.exportLookbackDays,
  };
});

export const fileVerifierDeps = /* @__PURE__ */ perConfiguration((settings: JobSettings): FileVerifierDeps => {
  const bucket = requiredSetting(settings, 'evidenceBucket');
  return {
    bucket,
    evidence: new DynamoEvidenceRepository(documentClient(settings), tableSettings(settings)),
    objects: new S3EvidenceObjects(s3Client(settings), bucket),
  };
});

export const tableExportDeps = /* @__PURE__ */ perConfiguration(
  (settings: JobSettings): TableExportDeps => ({
    dynamodb: dynamodbClient(settings),
    exports: new S3ArchiveStore(s3Client(settings), requiredSetting(settings, 'tableExportBucket')),
    tableArn: requiredSetting(settings, 'tableArn'),
    bucket: requiredSetting(settings, 'tableExportBucket'),
    kmsKeyArn: requiredSetting(settings, 'tableKeyArn'),
  }),
);

export const backupDrillDeps = /* @__PURE__ */ perConfiguration(
  (settings: JobSettings): BackupDrillDeps => ({
    dynamodb: dynamodbClient(settings),
    archive: new S3ArchiveStore(s3Client(settings), requiredSetting(settings, 'archiveBucket')),
    tableName: requiredSetting(settings, 'tableName'),
    tableArn: requiredSetting(settings, 'tableArn'),
    tableKeyArn: requiredSetting(settings, 'tableKeyArn'),
    auditTtlDays: settings.auditTtlDays,
  }),
);

export const packBuilderJobDeps = /* @__PURE__ */ perConfiguration(
  (settings: JobSettings): PackBuilderDeps => ({
    packs: new DynamoPackRepository(documentClient(settings), tableSettings(settings)),
    evidence: new DynamoEvidenceRepository(documentClient(settings), tableSettings(settings)),
    objects: new S3EvidenceObjectReader(s3Client(settings), requiredSetting(settings, 'evidenceBucket')),
    zips: new S3PackObjectWriter(s3Client(settings), requiredSetting(settings, 'packsBucket')),
    // The archive manifests' signing key signs pack manifests too.
    signer: new KmsManifestSigner(createKmsClient(settings.region), requiredSetting(settings, 'manifestSigningKeyId')),
  }),
);

let fromEnvironment: JobSettings | undefined;

/** The job's settings: its Lambda environment, parsed on first use. */
export function jobSettings(): JobSettings {
  if (!fromEnvironment) fromEnvironment = jobSettingsFromEnv(process.env);
  return fromEnvironment;
}
