/**
 * The local audit archive: S3-compatible store, stream poller feeding the archiver handler,
 * and the export timer. `npm start` calls startArchiveRuntime; the audit:* commands call
 * openLocalArchive, which joins a running store or starts their own on the same folder.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV } from '../functions/config/environment.js';
import type { Logger } from '../functions/archive/archive-batch.js';
import type { ExportResult } from '../functions/archive/export-manifest.js';
import { DynamoArchiveBatchLedger } from '../functions/adapters/dynamo-archive-batches.js';
import { DynamoAuditLog } from '../functions/adapters/dynamo-audit-log.js';
import { DEFAULT_AUDIT_TTL_DAYS } from '../functions/config/configuration.js';
import { DynamoAuditEventSource, DynamoManifestHeadStore } from '../functions/adapters/dynamodb-archive-state.js';
import { LocalKeyManifestSigner } from '../functions/adapters/local-key-signer.js';
import { createArchiveS3Client, S3ArchiveStore } from '../functions/adapters/s3-archive-store.js';
import { createHandler as createArchiver } from '../functions/jobs/archiver.js';
import { invocationLogger } from '../functions/observability/logger.js';
import { createHandler as createExport } from '../functions/jobs/export.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { S3FailureRecords } from '../functions/adapters/s3-failure-records.js';
import { connectOrStartLocalS3, LOCAL_ARCHIVE_BUCKET, LOCAL_FAILURE_BUCKET, localArchivePaths, startLocalS3, type LocalS3, type LocalS3Options } from './s3-local.js';
import { startStreamPoller, type StreamPoller } from './stream-poller.js';

export interface ArchiveRuntimeOptions {
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** The local runtime's data folder (`.local`); the archive keeps its files in `<dataDir>/archive/`. */
  readonly dataDir: string;
  /**
   * DynamoDB Local's data folder, so audit:* commands can start it when `npm start` is stopped.
   * @default `<dataDir>/dynamodb` when that folder exists
   */
  readonly dynamodbDataDir?: string;
  /** @default 15 minutes (0 turns the timer off) */
  readonly exportIntervalMs?: number;
  /** Archive lag the export's reconciliation allows. @default 30 s */
  readonly exportSettleMs?: number;
  /** Stream poller: most records per archiver invocation. @default 1000 (the CDK event source's) */
  readonly batchSize?: number;
  /**
   * Stream poller: how long records are gathered, from the first one, before a batch smaller
   * than `batchSize` goes to the archiver (Lambda's batching window). Trades archive lag for
   * fewer, larger archive objects; 0 hands over whatever each read returns.
   * @default 1000
   */
  readonly batchingWindowMs?: number;
  /** Stream poller: pause between reads of an idle stream. @default 200 */
  readonly pollIntervalMs?: number;
  /** Stream poller: retries of a failing batch before it goes to the failure bucket. @default 10 */
  readonly maxRetryAttempts?: number;
  readonly log?: Logger;
  /** More buckets in the same local S3 store (the evidence files), their policies and object events. */
  readonly objectStore?: Pick<LocalS3Options, 'checksumBuckets' | 'onObjectCreated' | 'corsOrigins'> & { readonly buckets?: readonly string[] };
}

export interface ArchiveRuntime {
  readonly s3Endpoint: string;
  readonly bucket: string;
  /** Handler environment for the local stack (ARCHIVE_BUCKET). */
  readonly env: Readonly<Record<string, string>>;
  readonly poller: StreamPoller;
  /** Runs one export now (what the timer and `npm run audit:export` do). */
  exportNow(): Promise<ExportResult>;
  stop(): Promise<void>;
}

interface RuntimeFile {
  s3Endpoint: string;
  dynamodbEndpoint: string;
  dynamodbDataDir?: string;
  tableName: string;
  bucket: string;
  pid: number;
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
}

/** One export at a time per archive folder (the timer and the command may coincide). */
export async function withExportLock<T>(lockFile: string, run: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8') || '0');
      let alive = false;
      try {
        if (holder) process.kill(holder, 0);
        alive = holder > 0 && holder !== process.pid;
      } catch {
        alive = false;
      }
      if (!alive && holder !== process.pid) rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`another export holds ${lockFile}`);
      else await sleep(100);
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

export function createLocalExport(options: {
  s3Endpoint: string;
  dynamodb: DynamoDBClient;
  tableName: string;
  dataDir: string;
  settleMs: number;
  log?: Logger;
  /** Writes the hourly audit heartbeat, as the export Lambda does (the `npm start` timer). @default false */
  heartbeat?: { auditTtlDays: number };
}) {
  const paths = localArchivePaths(options.dataDir);
  const store = new S3ArchiveStore(createArchiveS3Client({ endpoint: options.s3Endpoint }), LOCAL_ARCHIVE_BUCKET);
  const exportHandler = createExport({
    reader: store,
    writer: store,
    head: new DynamoManifestHeadStore(options.dynamodb, options.tableName),
    auditEvents: new DynamoAuditEventSource(options.dynamodb, options.tableName),
    signer: new LocalKeyManifestSigner(paths.signingKeyFile),
    settleMs: options.settleMs,
    ...(options.log ? { log: options.log } : {}),
    ...(options.heartbeat && {
      heartbeat: new DynamoAuditLog(DynamoDBDocumentClient.from(options.dynamodb, { marshallOptions: { removeUndefinedValues: true } }), {
        tableName: options.tableName,
        auditTtlDays: options.heartbeat.auditTtlDays,
      }),
    }),
  });
  return () => withExportLock(paths.exportLockFile, exportHandler);
}

export async function startArchiveRuntime(options: ArchiveRuntimeOptions): Promise<ArchiveRuntime> {
  const paths = localArchivePaths(options.dataDir);
  mkdirSync(paths.root, { recursive: true });
  const logOf = (route: string): Logger => options.log ?? invocationLogger({ route });
  const archiverLog = logOf('archiver');
  const log = logOf('local archive runtime');
  const { buckets: objectBuckets = [], ...objectStore } = options.objectStore ?? {};
  const s3 = await startLocalS3({ directory: paths.s3Directory, buckets: [...LOCAL_BUCKETS, ...objectBuckets], portFile: paths.s3PortFile, ...objectStore });
  const failures = new S3FailureRecords(createArchiveS3Client({ endpoint: s3.endpoint }), LOCAL_FAILURE_BUCKET);
  const siblingDynamoDir = resolve(options.dataDir, 'dynamodb');
  const dynamodbDataDir = options.dynamodbDataDir ?? (existsSync(siblingDynamoDir) ? siblingDynamoDir : undefined);
  const runtimeFile: RuntimeFile = {
    s3Endpoint: s3.endpoint,
    dynamodbEndpoint: options.dynamodbEndpoint,
    ...(dynamodbDataDir ? { dynamodbDataDir } : {}),
    tableName: options.tableName,
    bucket: LOCAL_ARCHIVE_BUCKET,
    pid: process.pid,
  };
  writeFileSync(paths.runtimeFile, JSON.stringify(runtimeFile, null, 2) + '\n');

  const dynamodb = localDynamoClient(options.dynamodbEndpoint);
  const archiver = createArchiver({
    writer: new S3ArchiveStore(createArchiveS3Client({ endpoint: s3.endpoint }), LOCAL_ARCHIVE_BUCKET),
    // Batch ranges in the table, as in AWS: a retried batch rebuilds the first attempt's objects.
    batches: new DynamoArchiveBatchLedger(DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }), options.tableName),
    // A line per batch would drown `npm start`'s console: only failures are logged.
    log: { info: () => {}, error: (message, details) => archiverLog.error(message, details) },
  });
  const poller = startStreamPoller({
    dynamodb,
    dynamodbEndpoint: options.dynamodbEndpoint,
    tableName: options.tableName,
    checkpointFile: paths.checkpointFile,
    invoke: archiver,
    batchSize: options.batchSize ?? 1000,
    batchingWindowMs: options.batchingWindowMs ?? 1000,
    pollIntervalMs: options.pollIntervalMs ?? 200,
    maxRetryAttempts: options.maxRetryAttempts ?? 10,
    onFailure: async (record, key) => {
      await failures.put(key, record);
      log.error('archiver gave up on a stream batch; re-drive it with npm run archive:redrive', { key, records: record.DDBStreamBatchInfo.batchSize });
    },
    onError: (error) => log.error('stream poller', { error }),
  });
  const exportNow = createLocalExport({
    s3Endpoint: s3.endpoint,
    dynamodb,
    tableName: options.tableName,
    dataDir: options.dataDir,
    settleMs: options.exportSettleMs ?? 30_000,
    log: logOf('export'),
    heartbeat: { auditTtlDays: DEFAULT_AUDIT_TTL_DAYS },
  });
  const intervalMs = options.exportIntervalMs ?? 15 * 60_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          exportNow().catch((error: unknown) =>
            log.error('scheduled archive export failed', { error }),
          );
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    s3Endpoint: s3.endpoint,
    bucket: LOCAL_ARCHIVE_BUCKET,
    env: { [ENV.archiveBucket]: LOCAL_ARCHIVE_BUCKET },
    poller,
    exportNow,
    async stop() {
      if (timer) clearInterval(timer);
      await poller.stop();
      await s3.stop();
      dynamodb.destroy();
    },
  };
}

/** Buckets of the local S3 store the archive side uses. */
const LOCAL_BUCKETS = [LOCAL_ARCHIVE_BUCKET, LOCAL_FAILURE_BUCKET] as const;

export interface LocalArchive {
  readonly store: S3ArchiveStore;
  /** The archiver's on-failure destination. */
  readonly failures: S3FailureRecords;
  readonly s3: LocalS3;
  readonly dynamodb: DynamoDBClient;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/**
 * For the audit:* commands: the running store and DynamoDB Local of `npm start`, or
 * our own on the same folders when it is stopped.
 */
export async function openLocalArchive(dataDir: string, needs: { dynamodb: boolean }): Promise<LocalArchive> {
  const paths = localArchivePaths(dataDir);
  if (!existsSync(paths.runtimeFile) && !existsSync(paths.s3Directory)) {
    throw new Error(`No local archive under ${paths.root}: run \`npm start\` first`);
  }
  const runtime = existsSync(paths.runtimeFile) ? (JSON.parse(readFileSync(paths.runtimeFile, 'utf8')) as RuntimeFile) : undefined;
  const s3 = await connectOrStartLocalS3({ directory: paths.s3Directory, buckets: [...LOCAL_BUCKETS], portFile: paths.s3PortFile });
  let ownDynamo: DynamoDbLocal | undefined;
  let dynamodbEndpoint = runtime?.dynamodbEndpoint ?? '';
  if (needs.dynamodb) {
    if (!runtime) throw new Error(`No ${paths.runtimeFile}: run \`npm start\` once so the archive knows its table`);
    const probe = localDynamoClient(runtime.dynamodbEndpoint);
    let reachable = false;
    try {
      await probe.send(new (await import('@aws-sdk/client-dynamodb')).ListTablesCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      reachable = true;
    } catch {
      reachable = false;
    } finally {
      probe.destroy();
    }
    if (!reachable) {
      if (!runtime.dynamodbDataDir) throw new Error(`DynamoDB Local at ${runtime.dynamodbEndpoint} is not running and its data folder is unknown`);
      ownDynamo = await startDynamoDbLocal({ dataDir: runtime.dynamodbDataDir });
      dynamodbEndpoint = ownDynamo.endpoint;
    }
  }
  const dynamodb = localDynamoClient(dynamodbEndpoint || 'http://127.0.0.1:1');
  return {
    store: new S3ArchiveStore(createArchiveS3Client({ endpoint: s3.endpoint }), LOCAL_ARCHIVE_BUCKET),
    failures: new S3FailureRecords(createArchiveS3Client({ endpoint: s3.endpoint }), LOCAL_FAILURE_BUCKET),
    s3,
    dynamodb,
    dynamodbEndpoint,
    tableName: runtime?.tableName ?? '',
    dataDir,
    async close() {
      dynamodb.destroy();
      await s3.stop();
      await ownDynamo?.stop();
    },
  };
}
