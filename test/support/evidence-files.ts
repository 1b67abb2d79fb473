/**
 * Evidence files for handler tests: a real local S3 store with the evidence bucket's policy,
 * presigned addresses signed for it, and the production file verifier fed by its object
 * events, on the test's own table. Plus the client side of an upload.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../functions/adapters/dynamo-client.js';
import { DynamoEvidenceRepository } from '../../functions/adapters/dynamo-evidence-repository.js';
import { DynamoPackRepository } from '../../functions/adapters/dynamo-pack-repository.js';
import { createArchiveS3Client } from '../../functions/adapters/s3-archive-store.js';
import { S3EvidenceFileUrls } from '../../functions/adapters/s3-evidence-file-urls.js';
import { S3EvidenceObjects } from '../../functions/adapters/s3-evidence-objects.js';
import { createS3UrlSigner } from '../../functions/adapters/s3-url-signer.js';
import { systemEvent } from '../../functions/core/audit-trail.js';
import { EVIDENCE_KEY_PREFIX } from '../../functions/core/evidence-files.js';
import { createHandler as createVerifier } from '../../functions/jobs/file-verifier.js';
import { createHandler as createPackBuilder } from '../../functions/jobs/pack-builder.js';
import { LocalKeyManifestSigner } from '../../functions/adapters/local-key-signer.js';
import { S3EvidenceObjectReader, S3PackFileUrls, S3PackObjectWriter } from '../../functions/adapters/s3-pack-files.js';
import type { PackBuilderDeps } from '../../functions/core/use-cases/pack-builder.js';
import { createLocalPackQueue, type LocalPackQueue } from '../../local/pack-queue.js';
import { LOCAL_REGION } from '../../local/dynamodb-local.js';
import { createObjectEventBus, type ObjectEventBus } from '../../local/object-events.js';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3 } from '../../local/s3-local.js';
import type { FileInfo } from '../../functions/schemas/evidence.js';
import type { TestTable } from './dynamodb.js';

export const EVIDENCE_BUCKET = 'evidence-files';
export const PACKS_BUCKET = 'evidence-packs';

export interface LocalEvidenceStore {
  readonly s3: LocalS3;
  readonly client: S3Client;
  readonly events: ObjectEventBus;
  /** Presigned addresses for this store; `now` moves their signing clock. */
  fileUrls(now?: () => Date): S3EvidenceFileUrls;
  /** Starts feeding the store's ObjectCreated events to the production verifier on this table. */
  connectVerifier(table: TestTable): ReturnType<typeof createVerifier>;
  /** Presigned GETs of pack ZIPs in the store's packs bucket; `now` moves their signing clock. */
  packFileUrls(now?: () => Date): S3PackFileUrls;
  /**
   * The production pack builder on this table, fed by a local pack queue (pass it as the API's
   * `packJobs`); `wrap` swaps its ports (fault injection).
   */
  connectPackBuilder(table: TestTable, wrap?: (deps: PackBuilderDeps) => PackBuilderDeps): { queue: LocalPackQueue; deps: PackBuilderDeps; signer: LocalKeyManifestSigner; handler: ReturnType<typeof createPackBuilder> };
  stop(): Promise<void>;
}

export async function startLocalEvidenceStore(options: { readonly now?: () => Date } = {}): Promise<LocalEvidenceStore> {
  const directory = mkdtempSync(join(tmpdir(), 'evidence-store-'));
  const events = createObjectEventBus({ rule: { bucket: EVIDENCE_BUCKET, prefix: EVIDENCE_KEY_PREFIX }, failureFile: join(directory, 'failures.jsonl'), retryDelayMs: 50, log: () => undefined });
  const s3 = await startLocalS3({
    directory,
    buckets: [EVIDENCE_BUCKET, PACKS_BUCKET],
    checksumBuckets: [EVIDENCE_BUCKET],
    onObjectCreated: (e) => events.deliver(e),
    ...(options.now && { now: options.now }),
  });
  const queues: LocalPackQueue[] = [];
  const client = createArchiveS3Client({ endpoint: s3.endpoint });
  const sign = createS3UrlSigner({ region: LOCAL_REGION, credentials: LOCAL_S3_CREDENTIALS, endpoint: s3.endpoint });
  const documents: ReturnType<typeof createDocumentClient>[] = [];
  return {
    s3,
    client,
    events,
    fileUrls: (now) => new S3EvidenceFileUrls({ sign, bucket: EVIDENCE_BUCKET, ...(now && { now }) }),
    connectVerifier(table) {
      const document = createDocumentClient({ endpoint: table.endpoint, region: LOCAL_REGION });
      documents.push(document);
      const verifier = createVerifier({
        bucket: EVIDENCE_BUCKET,
        evidence: new DynamoEvidenceRepository(document, { tableName: table.tableName, auditTtlDays: 90 }),
        objects: new S3EvidenceObjects(client, EVIDENCE_BUCKET),
      });
      events.connect(verifier);
      return verifier;
    },
    packFileUrls: (now) => new S3PackFileUrls({ sign, bucket: PACKS_BUCKET, ...(now && { now }) }),
    connectPackBuilder(table, wrap = (deps) => deps) {
      const document = createDocumentClient({ endpoint: table.endpoint, region: LOCAL_REGION });
      documents.push(document);
      const settings = { tableName: table.tableName, auditTtlDays: 90 };
      const signer = new LocalKeyManifestSigner(join(directory, 'keys', 'manifest-signing-key.pem'));
      const deps = wrap({
        packs: new DynamoPackRepository(document, settings),
        evidence: new DynamoEvidenceRepository(document, settings),
        objects: new S3EvidenceObjectReader(client, EVIDENCE_BUCKET),
        zips: new S3PackObjectWriter(client, PACKS_BUCKET),
        signer,
      });
      const queue = createLocalPackQueue({ failureFile: join(directory, 'pack-failures.jsonl'), retryDelayMs: 20, log: () => undefined });
      queues.push(queue);
      const handler = createPackBuilder(deps);
      queue.connect(handler);
      return { queue, deps, signer, handler };
    },
    async stop() {
      await events.idle();
      for (const q of queues) await q.idle();
      await s3.stop();
      client.destroy();
      for (const d of documents) d.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest();

/** The `file` of a create or add-version body for these bytes. */
export function declaredFile(bytes: Buffer, fileName = 'report.pdf', contentType: FileInfo['contentType'] = 'application/pdf'): FileInfo {
  return { fileName, contentType, size: bytes.length, sha256: sha256Of(bytes).toString('hex') };
}

/** A PUT to a presigned upload URL with exactly the headers it signed. */
export function putToUploadUrl(url: string, bytes: Buffer, contentType = 'application/pdf', overrides: Record<string, string> = {}) {
  return fetch(url, {
    method: 'PUT',
    headers: { 'content-type': contentType, 'x-amz-checksum-sha256': sha256Of(bytes).toString('base64'), 'if-none-match': '*', ...overrides },
    body: bytes,
  });
}

/** Marks a version's file AVAILABLE as the verifier would, without a store (permission walks). */
export async function markFileAvailable(table: TestTable, evidenceId: string, version: number): Promise<void> {
  const document = createDocumentClient({ endpoint: table.endpoint, region: LOCAL_REGION });
  try {
    const repository = new DynamoEvidenceRepository(document, { tableName: table.tableName, auditTtlDays: 90 });
    const stored = await repository.get(evidenceId);
    const file = stored?.versions.find((v) => v.version === version)?.file;
    if (!file) throw new Error(`markFileAvailable: ${evidenceId} v${version} has no file`);
    await repository.setFileStatus(
      { evidenceId, version, fileId: file.fileId, from: ['PENDING_UPLOAD'], to: 'AVAILABLE' },
      systemEvent({ action: 'evidence.file.verify', outcome: 'SUCCESS', resource: { type: 'evidence', id: evidenceId }, statusCode: 200, correlationId: `test-${evidenceId}`, now: new Date() }),
    );
  } finally {
    document.destroy();
  }
}

/** Marks a pack READY as the builder would (with made-up ZIP facts), without a store (permission walks). */
export async function markPackReady(table: TestTable, packId: string): Promise<void> {
  const document = createDocumentClient({ endpoint: table.endpoint, region: LOCAL_REGION });
  try {
    const packs = new DynamoPackRepository(document, { tableName: table.tableName, auditTtlDays: 90 });
    await packs.finish(
      packId,
      { status: 'READY', readyAt: new Date().toISOString(), size: 1, sha256: 'b'.repeat(64) },
      systemEvent({ action: 'pack.build', outcome: 'SUCCESS', resource: { type: 'pack', id: packId }, statusCode: 200, correlationId: `test-${packId}`, now: new Date() }),
    );
  } finally {
    document.destroy();
  }
}
